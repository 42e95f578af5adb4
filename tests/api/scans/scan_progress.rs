//! Progress keeps the final counts: the DONE event and `scan { progress }` of a
//! finished scan show the nodes and checks done, as SAVING did, not 0/0.

use crate::support::app::{spawn_app, TestApp};
use crate::support::gated::GatedSource;
use serde_json::json;

const PROGRESS: &str = "subscription($id: ID!) { scanProgress(scanId: $id) { phase state nodesDone nodesTotal checksDone checksTotal } }";

#[actix_web::test]
async fn a_finished_scans_progress_keeps_its_final_counts() {
    let app = spawn_app().await;
    let end = app.scan_to_end("demo").await;
    let d = app
        .ok(
            "query($id: ID!) { scan(id: $id) { progress { phase state nodesDone nodesTotal checksDone checksTotal } report { summary { total } } } }",
            json!({ "id": end["id"] }),
        )
        .await;
    let p = &d["scan"]["progress"];
    assert_eq!(p["phase"], "DONE");
    assert_eq!(p["state"], "SUCCEEDED");
    assert_eq!(
        (p["nodesDone"].clone(), p["nodesTotal"].clone()),
        (json!(2), json!(2))
    );
    let total = &d["scan"]["report"]["summary"]["total"];
    assert!(total.as_i64().unwrap() > 0);
    assert_eq!(&p["checksDone"], total);
    assert_eq!(&p["checksTotal"], total);
}

#[actix_web::test]
async fn the_done_event_carries_the_counts_saving_reported() {
    let (gated, gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let (_, events) = crate::support::ws::follow_gated_scan(&app, &gate, PROGRESS).await;
    let of = |phase: &str| {
        events
            .iter()
            .map(|e| e["scanProgress"].clone())
            .rfind(|e| e["phase"] == phase)
            .unwrap_or_else(|| panic!("no {phase} event in {events:?}"))
    };
    let (saving, done) = (of("SAVING"), of("DONE"));
    for count in ["nodesDone", "nodesTotal", "checksDone", "checksTotal"] {
        assert_eq!(done[count], saving[count], "{count}");
    }
    assert_eq!(done["nodesTotal"], 2);
}

#[actix_web::test]
async fn a_finished_scan_is_done_even_while_its_saving_event_is_the_latest() {
    use cis_scan::service::scan::lifecycle::{ScanPhase, ScanState};
    let app = spawn_app().await;
    let end = app.scan_to_end("demo").await;
    let id: uuid::Uuid = end["id"].as_str().unwrap().parse().unwrap();
    // the moment between the report's save and the DONE event: the row is final,
    // the latest event in memory still says SAVING
    let saving = cis_scan::service::scan::event(
        id,
        "demo",
        ScanPhase::Saving,
        ScanState::Running,
        "saving the report",
    );
    app.state.scanner.progress.publish(saving);
    let d = app
        .ok(
            "query($id: ID!) { scan(id: $id) { progress { phase state nodesDone nodesTotal } } }",
            json!({ "id": end["id"] }),
        )
        .await;
    let p = &d["scan"]["progress"];
    assert_eq!(
        (&p["phase"], &p["state"]),
        (&json!("DONE"), &json!("SUCCEEDED"))
    );
    assert_eq!((&p["nodesDone"], &p["nodesTotal"]), (&json!(2), &json!(2)));
}
