//! CSV downloads are safe to open in a spreadsheet: no cell starts a formula.

use crate::support::app::TestApp;
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::{ClusterSource, Gathered, NodeProgress, SnapshotSource};
use std::sync::Arc;

const HOSTILE: &str = "=HYPERLINK(\"http://evil.example/x\",\"click\")";

/// The demo cluster with its first node renamed to a spreadsheet formula.
struct HostileNames(SnapshotSource);

#[async_trait::async_trait]
impl ClusterSource for HostileNames {
    fn describe(&self) -> String {
        "demo with a hostile node name".into()
    }
    fn kubernetes_version(&self) -> Option<String> {
        self.0.kubernetes_version()
    }
    async fn gather(
        &self,
        scan: uuid::Uuid,
        progress: NodeProgress<'_>,
    ) -> cis_scan::Result<Gathered> {
        let mut g = self.0.gather(scan, progress).await?;
        g.nodes[0].node = HOSTILE.to_string();
        Ok(g)
    }
}

async fn csv_rows(app: &TestApp) -> Vec<csv::StringRecord> {
    let scan = app.scan_to_end("hostile").await;
    let id = scan["report"]["id"].as_str().unwrap();
    let text = app.admin_text(&format!("/reports/{id}/csv")).await;
    let body: String = text
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[actix_web::test]
async fn a_node_named_like_a_formula_is_written_with_a_leading_quote() {
    let source = Arc::new(HostileNames(SnapshotSource::open("builtin:demo").unwrap()));
    let app = TestApp::builder()
        .cluster(ExtraCluster {
            id: "hostile".into(),
            name: "Hostile".into(),
            source,
        })
        .spawn()
        .await;
    let rows = csv_rows(&app).await;
    let quoted = format!("'{HOSTILE}");
    assert!(rows
        .iter()
        .any(|r| r.iter().any(|c| c.starts_with(&quoted))));
    for r in &rows {
        for cell in r.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "cell {cell:?} of {r:?}"
            );
        }
    }
}
