//! Clusters for the UI tests: one whose scans fail with a message, and one of
//! many nodes (the demo's worker copied) for the large-report page.

use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::{ClusterSource, Gathered, NodeProgress, SnapshotSource};
use std::sync::Arc;

/// The message a scan of the `broken` cluster fails with.
pub const BROKEN: &str = "the cluster's API server did not answer";

/// A cluster whose every scan fails with `BROKEN`.
pub struct FailingSource;

/// The `broken` cluster.
pub fn broken_cluster() -> ExtraCluster {
    ExtraCluster {
        id: "broken".into(),
        name: "Broken".into(),
        source: Arc::new(FailingSource),
    }
}

#[async_trait::async_trait]
impl ClusterSource for FailingSource {
    fn describe(&self) -> String {
        "a cluster that cannot be read".into()
    }
    fn kubernetes_version(&self) -> Option<String> {
        Some("1.30.4".into())
    }
    async fn gather(&self, _: uuid::Uuid, _: NodeProgress<'_>) -> cis_scan::Result<Gathered> {
        Err(cis_scan::Error::Remote(BROKEN.into()))
    }
}

/// The demo cluster with its worker copied until it has `workers` of them.
pub struct ManyNodes {
    inner: SnapshotSource,
    workers: usize,
}

/// The `big` cluster: a control plane and `workers` workers.
pub fn big_cluster(workers: usize) -> ExtraCluster {
    ExtraCluster {
        id: "big".into(),
        name: "Big".into(),
        source: Arc::new(ManyNodes {
            inner: SnapshotSource::open("builtin:demo").unwrap(),
            workers,
        }),
    }
}

#[async_trait::async_trait]
impl ClusterSource for ManyNodes {
    fn describe(&self) -> String {
        format!("demo with {} workers", self.workers)
    }
    fn kubernetes_version(&self) -> Option<String> {
        self.inner.kubernetes_version()
    }
    async fn gather(
        &self,
        scan: uuid::Uuid,
        progress: NodeProgress<'_>,
    ) -> cis_scan::Result<Gathered> {
        let mut g = self.inner.gather(scan, progress).await?;
        let worker = g
            .nodes
            .iter()
            .find(|n| n.roles.iter().any(|r| r == "worker"))
            .cloned()
            .expect("the demo has a worker");
        g.nodes.retain(|n| !n.roles.iter().any(|r| r == "worker"));
        for i in 1..=self.workers {
            let mut n = worker.clone();
            n.node = format!("worker-{i:04}");
            g.nodes.push(n);
        }
        Ok(g)
    }
}

/// The service with a cluster "big" of the demo's control plane and `workers` workers,
/// scanned once; with the report's id.
pub async fn spawn_big(workers: usize) -> (crate::support::app::TestApp, String) {
    let app = crate::support::app::TestApp::builder()
        // saving 1,000 nodes' results in a debug build holds the database for seconds
        .scan_lease(std::time::Duration::from_secs(60))
        .cluster(big_cluster(workers))
        .spawn()
        .await;
    let scan = app.scan_to_end("big").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    let report = scan["report"]["id"].as_str().unwrap().to_string();
    (app, report)
}
