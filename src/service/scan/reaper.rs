//! Work a stopped process left: RUNNING scans whose claim expired become
//! INTERRUPTED and are queued again (not lost); QUEUED scans that no process
//! runs are started here; collector Jobs of dead scans are removed.

use super::Scanner;
use crate::error::Result;
use std::sync::Arc;
use uuid::Uuid;

impl Scanner {
    /// Marks expired RUNNING scans INTERRUPTED and queues each again; starts
    /// QUEUED scans older than a lease that no process here runs. Run at
    /// start-up and then every half lease by [`Scanner::keep_reaping`].
    pub async fn reap(self: &Arc<Self>, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Uuid>> {
        let mut requeued = Vec::new();
        for (s, again) in self.store.interrupt_expired_scans(now).await? {
            tracing::warn!(scan = %s.id, claimed_by = ?s.claimed_by, retry = %again.id, "marked INTERRUPTED: its process stopped while it ran; queued again");
            requeued.push(again.id);
        }
        if !requeued.is_empty() {
            self.sweep_leftovers();
        }
        // a fresh scan queued elsewhere is that replica's to run
        let grace = now - chrono::Duration::milliseconds(self.lease().as_millis() as i64);
        for s in self.store.queued_scans().await? {
            let fresh_elsewhere = s.created_at > grace && !requeued.contains(&s.id);
            if !self.is_mine(s.id) && !fresh_elsewhere && self.source(&s.cluster_id).is_some() {
                self.spawn(s);
            }
        }
        Ok(requeued)
    }

    /// At start-up: see [`Scanner::reap`]; also removes what scans of a killed
    /// process left in live clusters.
    pub async fn recover(self: &Arc<Self>) -> Result<()> {
        let requeued = self.reap(chrono::Utc::now()).await?;
        if requeued.is_empty() {
            self.sweep_leftovers();
        }
        Ok(())
    }

    /// Reaps every half lease for as long as the scanner exists.
    pub fn keep_reaping(self: &Arc<Self>) {
        let me = Arc::downgrade(self);
        let every = self.lease() / 2;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(me) = me.upgrade() else { return };
                if let Err(e) = me.reap(chrono::Utc::now()).await {
                    tracing::warn!("reaping stale scans: {}", e.chain());
                }
            }
        });
    }
}
