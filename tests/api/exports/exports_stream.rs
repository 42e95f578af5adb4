//! Downloads stream under the client's share: a download takes one of its client's
//! places and holds it while the body streams (429 with Retry-After when none is free),
//! and every format's download is what `check` prints for the same report.

use crate::support::app::TestApp;
use crate::support::wait::{wait_for, EVENT};
use cis_scan::engine::render::{self, ExportContext, DOWNLOADS};
use cis_scan::engine::report::Report;
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::SnapshotSource;
use std::sync::Arc;

/// A cluster "many" of `n` nodes: copies of the demo's control plane (3) and worker.
fn many_nodes(dir: &std::path::Path, n: usize) -> ExtraCluster {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/config/demo");
    for f in ["cp-1.json", "worker-1.json"] {
        std::fs::copy(format!("{demo}/{f}"), dir.join(f)).unwrap();
    }
    let mut yaml = String::from("kubernetesVersion: \"1.30.4\"\nprovider: kubeadm\nnodes:\n");
    for i in 0..n {
        let (roles, facts) = if i < 3 {
            ("[control-plane, etcd]", "cp-1.json")
        } else {
            ("[worker]", "worker-1.json")
        };
        yaml.push_str(&format!(
            "  - {{name: node-{i}, roles: {roles}, os: linux, facts: {facts}}}\n"
        ));
    }
    std::fs::write(dir.join("cluster.yaml"), yaml).unwrap();
    ExtraCluster {
        id: "many".into(),
        name: "Many".into(),
        source: Arc::new(SnapshotSource::open(dir.to_str().unwrap()).unwrap()),
    }
}

/// The service with a `nodes`-node cluster "many" and this per-client share.
async fn spawn(nodes: usize, share: usize) -> (TestApp, tempfile::TempDir) {
    let snap = tempfile::TempDir::new().unwrap();
    let app = TestApp::builder()
        .client_concurrency(share)
        .cluster(many_nodes(snap.path(), nodes))
        .spawn()
        .await;
    (app, snap)
}

async fn report_id(app: &TestApp, cluster: &str) -> String {
    let end = app.scan_to_end(cluster).await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    end["report"]["id"].as_str().unwrap().to_string()
}

async fn get(app: &TestApp, id: &str, format: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/reports/{id}/{format}", app.address))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
}

/// The export context the service writes for a stored report.
async fn stored_ctx(app: &TestApp, id: &str) -> ExportContext {
    let header = app
        .state
        .store()
        .report(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let cluster_name = app
        .state
        .store()
        .cluster_any(&header.cluster_id)
        .await
        .unwrap()
        .map(|c| c.name);
    ExportContext {
        report_id: Some(header.id),
        scan_id: header.scan_id,
        cluster: Some(header.cluster_id),
        cluster_name,
        started_at: header.started_at,
        finished_at: header.finished_at,
    }
}

/// Every uuid replaced by the same placeholder (OSCAL writes fresh ones each time).
fn without_uuids(text: &str) -> String {
    let b = text.as_bytes();
    let is_uuid = |s: &[u8]| {
        s.len() == 36
            && s.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    };
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        if i + 36 <= b.len() && is_uuid(&b[i..i + 36]) {
            out.extend_from_slice(b"UUID");
            i += 36;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Each format's download against the same renderer over the whole report in memory.
async fn assert_downloads_match(app: &TestApp, id: &str, report: &Report) {
    let ctx = stored_ctx(app, id).await;
    for d in DOWNLOADS {
        let r = get(app, id, d.name).await;
        assert_eq!(r.status(), 200, "{}", d.name);
        assert_eq!(
            r.headers()["x-content-type-options"],
            "nosniff",
            "{}",
            d.name
        );
        let served = String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap();
        let mut whole = Vec::new();
        render::write(report, d.format, &ctx, false, &mut whole).unwrap();
        let whole = String::from_utf8(whole).unwrap();
        assert!(
            without_uuids(&served) == without_uuids(&whole),
            "{}: the download differs from the whole render ({} vs {} bytes)",
            d.name,
            served.len(),
            whole.len()
        );
    }
}

#[actix_web::test]
async fn each_formats_download_is_what_check_prints_for_the_demo_with_the_reports_identity() {
    let (app, _snap) = spawn(4, 16).await;
    let id = report_id(&app, "demo").await;
    // what `check` prints is render::write of this report with its own scan id and times
    let printed = crate::support::process::check_demo("json");
    let report: Report = serde_json::from_slice(&printed).unwrap();
    assert_downloads_match(&app, &id, &report).await;
}

#[actix_web::test]
async fn each_format_of_a_many_node_report_streams_in_node_batches_as_the_whole_render() {
    // 150 nodes: more than a first batch of nodes, so the per-node formats take several passes
    let (app, _snap) = spawn(150, 16).await;
    let id = report_id(&app, "many").await;
    let r = get(&app, &id, "json").await;
    assert_eq!(r.content_length(), None, "a stream has no length up front");
    let report: Report = r.json().await.unwrap();
    assert_eq!(report.nodes.len(), 150);
    assert_downloads_match(&app, &id, &report).await;
}

#[actix_web::test]
async fn an_export_answers_429_with_retry_after_while_the_clients_share_is_taken() {
    // one place per client; 150 nodes of kube-bench JSON (every check's text per node)
    // is far more than the socket buffers hold
    let (app, _snap) = spawn(150, 1).await;
    let id = report_id(&app, "many").await;
    let mut held = get(&app, &id, "kube-bench").await;
    assert_eq!(held.status(), 200);
    assert!(!held.chunk().await.unwrap().unwrap().is_empty());
    // the first download's body is still streaming: it keeps the client's only place
    for format in ["csv", "json", "oscal"] {
        let r = get(&app, &id, format).await;
        assert_eq!(r.status(), 429, "{format}");
        assert_eq!(r.headers()["retry-after"], "1", "{format}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "BAD_USER_INPUT", "{body}");
    }
    // the client goes away: its place comes back
    drop(held);
    wait_for("the place to be released", EVENT, || async {
        (get(&app, &id, "csv").await.status() == 200).then_some(())
    })
    .await;
}
