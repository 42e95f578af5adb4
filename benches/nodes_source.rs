//! Nodes held in memory as a cluster source, so benches run a scan through
//! the one pipeline (`service::scan::pipeline`) the CLI and the service use,
//! and saves a report as a scan's would be saved.

use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::facts::NodeFacts;
use cis_scan::engine::report::Report;
use cis_scan::service::scan::pipeline::{self, BenchmarkRequest, Run, UnknownSkips};
use cis_scan::sources::{ClusterSource, Gathered, NodeProgress};
use std::sync::Arc;

/// Facts already gathered; each scan clones them, as a source would read them.
pub struct NodesSource(pub Vec<NodeFacts>);

#[async_trait::async_trait]
impl ClusterSource for NodesSource {
    fn describe(&self) -> String {
        format!("{} nodes in memory", self.0.len())
    }

    fn kubernetes_version(&self) -> Option<String> {
        None
    }

    async fn gather(
        &self,
        _scan: uuid::Uuid,
        _progress: NodeProgress<'_>,
    ) -> cis_scan::error::Result<Gathered> {
        Ok(Gathered {
            nodes: self.0.clone(),
            mode: Some(cis_scan::engine::report::ReadMode::Snapshot),
            ..Default::default()
        })
    }
}

/// Scans `source` with `benchmark` through the pipeline.
pub async fn scan(catalog: &Catalog, source: &NodesSource, benchmark: &str) -> Report {
    let run = Run {
        source,
        scan_id: uuid::Uuid::new_v4(),
        benchmark: BenchmarkRequest::Explicit(benchmark.into()),
        skips: Vec::new(),
        unknown_skips: UnknownSkips::Refuse,
        on_step: Arc::new(|_| {}),
        scored_only: false,
    };
    pipeline::run(catalog, run).await.expect("the scan runs")
}

/// `n` nodes from the demo facts: the first 3 control planes, the rest workers
/// (a bench that scans other nodes leaves it unused).
#[allow(dead_code)]
pub fn demo_nodes(n: usize) -> Vec<NodeFacts> {
    let cp: NodeFacts = serde_json::from_str(include_str!("../config/demo/cp-1.json")).unwrap();
    let w: NodeFacts = serde_json::from_str(include_str!("../config/demo/worker-1.json")).unwrap();
    (0..n)
        .map(|i| {
            let mut f = if i < 3 { cp.clone() } else { w.clone() };
            f.node = format!("node-{i}");
            f
        })
        .collect()
}

/// Saves `report` as the latest report of cluster `cluster`.
#[allow(dead_code)]
pub async fn save_as(
    store: &cis_scan::service::store::Store,
    cluster: &str,
    report: &cis_scan::engine::report::Report,
) {
    store
        .upsert_cluster(cluster, cluster, "bench")
        .await
        .unwrap();
    let scan = store
        .insert_scan(cluster, None, "bench", None)
        .await
        .unwrap();
    let lease = chrono::Utc::now() + chrono::Duration::minutes(5);
    assert!(store.claim_scan(scan.id, "bench", lease).await.unwrap());
    store
        .save_report(scan.id, cluster, report, chrono::Utc::now(), None, &[])
        .await
        .unwrap();
}
