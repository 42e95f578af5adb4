//! Collector Jobs that outlive their scan: a process killed outright (kill -9,
//! OOM, node loss) runs no cleanup, so the process that takes its scans over,
//! or the next one to start, deletes them.

use super::Scanner;
use crate::error::Result;
use crate::service::store::Store;
use crate::sources::ClusterSource;
use std::sync::Arc;

impl Scanner {
    /// In the background (an unreachable cluster must not hold up start-up or
    /// reaping): deletes, in every registered cluster, the objects (collector
    /// Jobs) of scans that no longer run on a live claim.
    pub(super) fn sweep_leftovers(self: &Arc<Self>) {
        let sources: Vec<(String, Arc<dyn ClusterSource>)> = self
            .sources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(id, s)| (id.clone(), s.clone()))
            .collect();
        let store = self.store.clone();
        tokio::spawn(async move {
            for (cluster, source) in sources {
                if let Err(e) = remove_leftovers(&store, source.as_ref()).await {
                    tracing::warn!(
                        cluster,
                        "removing collector jobs of stopped scans: {}",
                        e.chain()
                    );
                }
            }
        });
    }
}

/// Deletes the objects of `source`'s scans that are not running on a live
/// claim. The cluster is listed before the database is asked, so a scan that
/// starts in between (and creates Jobs after the listing) is never touched.
async fn remove_leftovers(store: &Store, source: &dyn ClusterSource) -> Result<()> {
    let in_cluster = source.scans_with_objects().await?;
    if in_cluster.is_empty() {
        return Ok(());
    }
    let live = store.live_running_scans(chrono::Utc::now()).await?;
    for scan in in_cluster.into_iter().filter(|s| !live.contains(s)) {
        source.remove_objects(scan).await?;
        tracing::info!(scan = %scan, "deleted collector jobs left by a stopped scan");
    }
    Ok(())
}
