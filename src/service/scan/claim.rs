//! Claiming: a queued scan waits until the database lets this replica take
//! it (see `Store::claim_scan` for the rule). It tries again when a scan of its
//! cluster ends (an event from this replica, or relayed from another), and at
//! the latest every third of a lease, for replicas whose events do not reach
//! this one (SQLite has no relay).

use super::Scanner;
use crate::error::Result;
use crate::service::scan::lifecycle::ScanState;
use crate::service::store::entity::scan;
use tokio::sync::broadcast::error::RecvError;

/// How waiting for a scan's cluster ended.
pub(super) enum Claim {
    /// This replica runs the scan now.
    Taken,
    /// The scan is no longer queued: cancelled, or another replica took it.
    Gone,
}

impl Scanner {
    /// Waits until this replica holds the scan's claim, or the scan is gone.
    pub(super) async fn wait_for_claim(&self, scan: &scan::Model) -> Result<Claim> {
        let mut events = self.progress.subscribe();
        loop {
            if self
                .store
                .claim_scan(scan.id, &self.replica, self.lease_until())
                .await?
            {
                return Ok(Claim::Taken);
            }
            match self.store.scan(scan.id).await? {
                Some(s) if s.state == ScanState::Queued => {}
                _ => return Ok(Claim::Gone),
            }
            let a_scan_of_the_cluster_ended = async {
                loop {
                    match events.recv().await {
                        Ok(e) if e.cluster_id == scan.cluster_id && e.state.is_final() => return,
                        Ok(_) => continue,
                        // missed events: one may have been the one we wait for
                        Err(RecvError::Lagged(_)) => return,
                        Err(RecvError::Closed) => std::future::pending::<()>().await,
                    }
                }
            };
            tokio::select! {
                _ = a_scan_of_the_cluster_ended => {}
                _ = tokio::time::sleep(self.lease() / 3) => {}
            }
        }
    }

    /// When a claim taken or renewed now runs out.
    pub(super) fn lease_until(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.lease().as_millis() as i64)
    }
}
