//! Queueing, cancelling and restarts.

use crate::support::app::{spawn_app_with, spawn_on, GatedSource};
use cis_scan::app::ExtraCluster;
use serde_json::json;

async fn state_of(app: &crate::support::app::TestApp, id: &str) -> String {
    app.ok(
        "query($id: ID!) { scan(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await["scan"]["state"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn wait_for(app: &crate::support::app::TestApp, id: &str, want: &str) {
    for _ in 0..250 {
        if state_of(app, id).await == want {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!(
        "scan {id} never reached {want} (is {})",
        state_of(app, id).await
    );
}

#[actix_web::test]
async fn one_scan_per_cluster_in_order_and_cancel() {
    let (gated, gate) = GatedSource::demo();
    let app = spawn_app_with(vec![ExtraCluster {
        id: "gated".into(),
        name: "Gated".into(),
        source: gated,
    }])
    .await;
    let run = "mutation { runScan(clusterId: \"gated\") { id state } }";
    let a = app.ok(run, json!({})).await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.ok(run, json!({})).await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = app.ok(run, json!({})).await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for(&app, &a, "RUNNING").await;
    assert_eq!(state_of(&app, &b).await, "QUEUED", "waits for the first");
    // cancel the queued one, then the running one
    let cb = app
        .ok(
            "mutation($id: ID!) { cancelScan(id: $id) { state } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(cb["cancelScan"]["state"], "CANCELLED");
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
async fn restart_mid_scan_marks_it_interrupted() {
    let dir = tempfile::TempDir::new().unwrap();
    let db_url = crate::support::app::fresh_database(dir.path()).await;
    let (gated, _gate) = GatedSource::demo();
    let first = spawn_on(
        db_url.clone(),
        vec![ExtraCluster {
            id: "gated".into(),
            name: "Gated".into(),
            source: gated,
        }],
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
    wait_for(&first, &id, "RUNNING").await;
    // the process "dies": its scanner halts mid-scan (nothing recorded, no more
    // heartbeats), its server stops, and a new one starts on the same database
    first.state.scanner.halt();
    first.server.stop(false).await;
    let (gated2, _g2) = GatedSource::demo();
    let second = spawn_on(
        db_url,
        vec![ExtraCluster {
            id: "gated".into(),
            name: "Gated".into(),
            source: gated2,
        }],
        dir,
    )
    .await;
    // once the dead process's claim expires, the scan is marked INTERRUPTED and queued again
    wait_for(&second, &id, "INTERRUPTED").await;
    let s = second
        .ok(
            "query($id: ID!) { scan(id: $id) { state message } }",
            json!({ "id": id }),
        )
        .await;
    assert!(s["scan"]["message"].as_str().unwrap().contains("stopped"));
    let scans = second.state.store().queued_scans().await.unwrap();
    let running = second.ok("{ clusters { id } }", json!({})).await;
    assert!(running.to_string().contains("gated"));
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
