//! Queueing, cancelling and restarts.

use crate::support::app::{spawn_app_with, spawn_on, GatedSource};
use serde_json::json;

async fn run_gated(app: &crate::support::app::TestApp) -> String {
    app.ok(
        "mutation { runScan(clusterId: \"gated\") { id state } }",
        json!({}),
    )
    .await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[actix_web::test]
async fn one_scan_per_cluster_in_order_and_cancel() {
    let (gated, gate) = GatedSource::cluster();
    let app = spawn_app_with(vec![gated]).await;
    let a = run_gated(&app).await;
    app.wait_state(&a, "RUNNING").await;
    let b = run_gated(&app).await;
    assert_eq!(app.scan_state(&b).await, "QUEUED", "waits for the first");
    // cancel the queued one, then the running one
    let cb = app
        .ok(
            "mutation($id: ID!) { cancelScan(id: $id) { state } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(cb["cancelScan"]["state"], "CANCELLED");
    let c = run_gated(&app).await;
    assert_ne!(c, b, "a cancelled scan is not handed out again");
    let ca = app
        .ok(
            "mutation($id: ID!) { cancelScan(id: $id) { state report { id } } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(ca["cancelScan"]["state"], "CANCELLED");
    assert!(ca["cancelScan"]["report"].is_null());
    // the third runs next
    gate.add_permits(1);
    let end = app.wait_scan(&c).await;
    assert_eq!(end["state"], "SUCCEEDED");
    // cancelling a finished scan changes nothing
    let again = app
        .ok(
            "mutation($id: ID!) { cancelScan(id: $id) { state } }",
            json!({ "id": c }),
        )
        .await;
    assert_eq!(again["cancelScan"]["state"], "SUCCEEDED");
    // the scan keeps running without any client: nothing here subscribed to c
}

#[actix_web::test]
async fn run_scan_on_a_cluster_with_a_queued_scan_returns_that_scan() {
    let (gated, _gate) = GatedSource::cluster();
    let app = spawn_app_with(vec![gated]).await;
    let running = run_gated(&app).await;
    app.wait_state(&running, "RUNNING").await;
    let queued = run_gated(&app).await;
    let mut again = Vec::new();
    for _ in 0..20 {
        again.push(run_gated(&app).await);
    }
    assert!(again.iter().all(|id| *id == queued), "{again:?}");
    let waiting = app.state.store().queued_scans().await.unwrap();
    assert_eq!(waiting.len(), 1, "one scan waits, not 21");
}

#[actix_web::test]
async fn restart_mid_scan_marks_it_interrupted() {
    let dir = tempfile::TempDir::new().unwrap();
    let db_url = crate::support::app::fresh_database(dir.path()).await;
    let (gated, _gate) = GatedSource::cluster();
    let first = spawn_on(
        db_url.clone(),
        vec![gated],
        tempfile::TempDir::new().unwrap(),
    )
    .await;
    let id = first
        .ok(
            "mutation { runScan(clusterId: \"gated\") { id } }",
            json!({}),
        )
        .await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    first.wait_state(&id, "RUNNING").await;
    // the process "dies": its scanner halts mid-scan (nothing recorded, no more
    // heartbeats), its server stops, and a new one starts on the same database
    first.state.scanner.halt();
    first.server.stop(false).await;
    let (gated2, _g2) = GatedSource::cluster();
    let second = spawn_on(db_url, vec![gated2], dir).await;
    // once the dead process's claim expires, the scan is marked INTERRUPTED and queued again
    second.wait_state(&id, "INTERRUPTED").await;
    let s = second
        .ok(
            "query($id: ID!) { scan(id: $id) { state message } }",
            json!({ "id": id }),
        )
        .await;
    assert!(s["scan"]["message"].as_str().unwrap().contains("stopped"));
    let scans = second.state.store().queued_scans().await.unwrap();
    assert!(
        scans
            .iter()
            .any(|r| r.cluster_id == "gated" && r.requested_by.starts_with("retry of"))
            || second
                .state
                .store()
                .cluster_busy("gated", uuid::Uuid::nil())
                .await
                .unwrap(),
        "picked up again, not lost"
    );
}
