//! A cluster whose scans wait at a gate: holds a scan RUNNING (or QUEUED behind
//! it) for as long as a test needs.

use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::{ClusterSource, SnapshotSource};
use std::sync::Arc;

/// A source that waits for `release` before gathering, to hold a scan RUNNING.
pub struct GatedSource {
    pub inner: SnapshotSource,
    pub gate: Arc<tokio::sync::Semaphore>,
}

impl GatedSource {
    /// A cluster "gated" over a gated demo, and its gate (add permits to let scans through).
    pub fn cluster() -> (ExtraCluster, Arc<tokio::sync::Semaphore>) {
        let (source, gate) = Self::demo();
        (
            ExtraCluster {
                id: "gated".into(),
                name: "Gated".into(),
                source,
            },
            gate,
        )
    }

    /// A gated demo cluster and the gate (add permits to let scans through).
    pub fn demo() -> (Arc<Self>, Arc<tokio::sync::Semaphore>) {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        (
            Arc::new(GatedSource {
                inner: SnapshotSource::open("builtin:demo").unwrap(),
                gate: gate.clone(),
            }),
            gate,
        )
    }
}

#[async_trait::async_trait]
impl ClusterSource for GatedSource {
    fn describe(&self) -> String {
        "gated demo".into()
    }
    fn kubernetes_version(&self) -> Option<String> {
        self.inner.kubernetes_version()
    }
    async fn gather(
        &self,
        scan: uuid::Uuid,
        progress: cis_scan::sources::NodeProgress<'_>,
    ) -> cis_scan::Result<cis_scan::sources::Gathered> {
        self.gate.acquire().await.expect("gate").forget();
        self.inner.gather(scan, progress).await
    }
}
