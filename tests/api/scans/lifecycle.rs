//! Queueing, cancelling and restarts.

use crate::support::app::TestApp;
use crate::support::database::TestDatabase;
use crate::support::doomed::Doomed;
use crate::support::gated::GatedSource;
use crate::support::wait::{wait_for, EVENT};
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

async fn cancel(app: &crate::support::app::TestApp, id: &str) -> serde_json::Value {
    app.gql(
        "mutation($id: ID!) { cancelScan(id: $id) { state report { id } } }",
        json!({ "id": id }),
    )
    .await
}

#[actix_web::test]
async fn a_second_scan_of_a_cluster_waits_for_the_first() {
    let (gated, gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let a = run_gated(&app).await;
    app.wait_state(&a, "RUNNING").await;
    let b = run_gated(&app).await;
    assert_eq!(app.scan_state(&b).await, "QUEUED", "waits for the first");
    gate.add_permits(1);
    assert_eq!(app.wait_scan(&a).await["state"], "SUCCEEDED");
    gate.add_permits(1);
    assert_eq!(app.wait_scan(&b).await["state"], "SUCCEEDED");
}

#[actix_web::test]
async fn cancelling_a_queued_scan_ends_it_and_it_is_not_handed_out_again() {
    let (gated, _gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let a = run_gated(&app).await;
    app.wait_state(&a, "RUNNING").await;
    let b = run_gated(&app).await;
    let cb = cancel(&app, &b).await;
    assert_eq!(cb["data"]["cancelScan"]["state"], "CANCELLED", "{cb}");
    let c = run_gated(&app).await;
    assert_ne!(c, b, "a cancelled scan is not handed out again");
}

#[actix_web::test]
async fn cancelling_a_running_scan_ends_it_without_a_report() {
    let (gated, _gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let a = run_gated(&app).await;
    app.wait_state(&a, "RUNNING").await;
    let ca = cancel(&app, &a).await;
    assert_eq!(ca["data"]["cancelScan"]["state"], "CANCELLED", "{ca}");
    assert!(ca["data"]["cancelScan"]["report"].is_null());
}

#[actix_web::test]
async fn the_scan_after_a_cancelled_one_runs_next() {
    let (gated, gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let a = run_gated(&app).await;
    app.wait_state(&a, "RUNNING").await;
    let b = run_gated(&app).await;
    cancel(&app, &a).await;
    gate.add_permits(1);
    assert_eq!(app.wait_scan(&b).await["state"], "SUCCEEDED");
}

#[actix_web::test]
async fn cancelling_a_finished_scan_is_bad_user_input_saying_how_and_when_it_ended() {
    let app = TestApp::builder().spawn().await;
    let end = app.scan_to_end("demo").await;
    let id = end["id"].as_str().unwrap().to_string();
    let r = cancel(&app, &id).await;
    let err = &r["errors"][0];
    assert_eq!(err["extensions"]["code"], "BAD_USER_INPUT", "{r}");
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains("had already finished: SUCCEEDED at "), "{msg}");
    assert_eq!(app.scan_state(&id).await, "SUCCEEDED", "unchanged");
}

#[actix_web::test]
async fn run_scan_on_a_cluster_with_a_queued_scan_returns_that_scan() {
    let (gated, _gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
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
async fn a_scan_whose_process_died_is_marked_interrupted_and_queued_again() {
    use cis_scan::service::domain::{Principal, ScanState};
    let database = TestDatabase::fresh().await;
    let (gated, _gate) = GatedSource::cluster();
    // a short claim, so that the crashed process's scan is reaped within a second or two
    let short_lease = || {
        TestApp::builder()
            .database(&database)
            .scan_lease(std::time::Duration::from_secs(1))
    };
    let first = Doomed::start(short_lease().cluster(gated)).await;
    let id = first
        .run(|s| async move {
            let admin = Principal::Admin {
                token_id: uuid::Uuid::new_v4(),
            };
            let scan = s.scanner.request("gated", None, &admin).await.unwrap();
            // the gate holds it RUNNING once claimed
            wait_for("the scan to run", EVENT, || async {
                let now = s.store().scan(scan.id).await.unwrap().unwrap();
                (now.state == ScanState::Running).then_some(scan.id)
            })
            .await
        })
        .await;
    // the process dies mid-scan: nothing recorded, no more heartbeats
    first.crash();
    let (gated2, _g2) = GatedSource::cluster();
    let second = short_lease().cluster(gated2).spawn().await;
    let id = id.to_string();
    // once the dead process's claim expires, the scan is marked INTERRUPTED and queued again
    second.wait_state(&id, "INTERRUPTED").await;
    let s = second
        .ok(
            "query($id: ID!) { scan(id: $id) { state message } }",
            json!({ "id": id }),
        )
        .await;
    assert!(s["scan"]["message"].as_str().unwrap().contains("stopped"));
    let retry = second
        .state
        .store()
        .latest_scans("gated", 1)
        .await
        .unwrap()
        .remove(0);
    assert!(retry.requested_by.starts_with("retry of"), "{retry:?}");
    assert!(
        matches!(retry.state, ScanState::Queued | ScanState::Running),
        "picked up again, not lost: {retry:?}"
    );
}

#[tokio::test]
async fn a_scan_with_an_unknown_stored_state_is_a_database_error_naming_it() {
    use sea_orm::ConnectionTrait;
    let database = TestDatabase::fresh().await;
    let url = &database.url;
    let store = cis_scan::service::store::Store::connect(url).await.unwrap();
    let scan = store.insert_scan("c", None, "test", None).await.unwrap();
    let raw = sea_orm::Database::connect(url).await.unwrap();
    raw.execute_unprepared("UPDATE scans SET state = 'PAUSED'")
        .await
        .unwrap();
    let err = store.scan(scan.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            cis_scan::error::Error::Database(_) | cis_scan::error::Error::Db(_)
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("PAUSED"), "{err}");
}
