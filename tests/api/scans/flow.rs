//! The whole flow a user follows, black-box over HTTP and a real websocket.

use crate::support::app::{spawn_app, TestApp};
use crate::support::gated::GatedSource;
use crate::support::requests::code;
use crate::support::ws::subscribe;
use serde_json::{json, Value};

const PROGRESS: &str = "subscription($id: ID!) { scanProgress(scanId: $id) { scanId phase nodesDone nodesTotal checksDone checksTotal message state reportId } }";
const REPORT: &str = "query($id: ID!, $states: [CheckState!], $section: String) { report(id: $id) { id state benchmarkVersion kubernetesVersion createdAt csvUrl
    summary { total pass fail warn skip notApplicable error }
    results(states: $states, section: $section) { id description state scored remediation reason nodes { node state actual expected source } } } }";

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

/// Downloads the CSV of a finished scan's report as the administrator.
async fn csv_of(app: &crate::support::app::TestApp, scan: &Value) -> reqwest::Response {
    let id = scan["report"]["id"].as_str().unwrap();
    app.client
        .get(format!("{}/reports/{id}/csv", app.address))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
}

/// Scans the demo to its end; returns the report id.
async fn demo_report(app: &crate::support::app::TestApp) -> String {
    let end = app.scan_to_end("demo").await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    end["report"]["id"].as_str().unwrap().to_string()
}

/// The state of check `id` in report `report_id`.
async fn state_in(app: &crate::support::app::TestApp, report_id: &str, id: &str) -> Value {
    check(&app.ok(REPORT, json!({ "id": report_id })).await, id)["state"].clone()
}

const SKIP_PROFILING: &str = "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\", reason: \"profiling kept for \\\"perf\\\", see TICKET-1\") { testId reason skippedBy skippedAt } }";

#[actix_web::test]
async fn a_scan_followed_over_the_websocket_ends_succeeded_with_its_report() {
    let app = spawn_app().await;
    let admin_init = json!({ "Authorization": format!("Bearer {}", app.admin) });
    let run = app
        .ok(
            "mutation { runScan(clusterId: \"demo\") { id state cluster { id } report { id } } }",
            json!({}),
        )
        .await;
    let scan_id = run["runScan"]["id"].as_str().unwrap().to_string();
    assert_eq!(run["runScan"]["cluster"]["id"], "demo");
    assert!(run["runScan"]["report"].is_null());
    let (events, err) = subscribe(app.port, admin_init, PROGRESS, json!({ "id": scan_id })).await;
    assert!(err.is_none(), "{err:?}");
    let last = &events.last().expect("at least the final event")["scanProgress"];
    assert_eq!(last["state"], "SUCCEEDED");
    assert_eq!(last["phase"], "DONE");
    let report_id = last["reportId"].as_str().unwrap();
    assert_eq!(
        app.ok(REPORT, json!({ "id": report_id })).await["report"]["id"],
        report_id
    );
}

#[actix_web::test]
async fn the_demo_report_uses_cis_1_11_for_kubernetes_1_30_and_shows_the_evidence() {
    let app = spawn_app().await;
    let r = app
        .ok(REPORT, json!({ "id": demo_report(&app).await }))
        .await;
    assert_eq!(r["report"]["benchmarkVersion"], "cis-1.11");
    assert_eq!(r["report"]["kubernetesVersion"], "1.30.4");
    assert_eq!(r["report"]["state"], "FAIL");
    assert_eq!(r["report"]["summary"]["total"], 133);
    let profiling = check(&r, "1.2.15");
    assert_eq!(profiling["state"], "FAIL");
    let cp = profiling["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "cp-1")
        .unwrap();
    assert_eq!(cp["actual"], "--profiling=true (default)");
    assert!(cp["source"].as_str().unwrap().starts_with("default"));
}

#[actix_web::test]
async fn results_filter_by_state_and_section() {
    let app = spawn_app().await;
    let report_id = demo_report(&app).await;
    let only_fail = app
        .ok(
            REPORT,
            json!({ "id": report_id, "states": ["FAIL"], "section": "1.2" }),
        )
        .await;
    let results = only_fail["report"]["results"].as_array().unwrap();
    let ids: Vec<&str> = results.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"1.2.15") && ids.iter().all(|i| i.starts_with("1.2.")),
        "{ids:?}"
    );
    assert!(results.iter().all(|c| c["state"] == "FAIL"));
}

#[actix_web::test]
async fn a_skipped_check_is_skip_with_its_reason_in_the_next_scan() {
    let app = spawn_app().await;
    let skip = app.ok(SKIP_PROFILING, json!({})).await;
    assert_eq!(skip["skipTest"]["testId"], "1.2.15");
    let listed = app
        .ok(
            "{ skippedTests(clusterId: \"demo\") { testId reason } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["skippedTests"].as_array().unwrap().len(), 1);
    let r = app
        .ok(REPORT, json!({ "id": demo_report(&app).await }))
        .await;
    let skipped = check(&r, "1.2.15");
    assert_eq!(skipped["state"], "SKIP");
    assert!(skipped["reason"].as_str().unwrap().contains("TICKET-1"));
    assert!(skipped["reason"].as_str().unwrap().contains("by admin:"));
    assert_eq!(r["report"]["summary"]["skip"], 1);
}

#[actix_web::test]
async fn skipping_a_check_leaves_earlier_reports_unchanged() {
    let app = spawn_app().await;
    let before = demo_report(&app).await;
    app.ok(SKIP_PROFILING, json!({})).await;
    demo_report(&app).await;
    assert_eq!(state_in(&app, &before, "1.2.15").await, "FAIL");
}

#[actix_web::test]
async fn unskipping_a_check_makes_the_next_scan_judge_it_again() {
    let app = spawn_app().await;
    app.ok(SKIP_PROFILING, json!({})).await;
    let un = app
        .ok(
            "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.15\") }",
            json!({}),
        )
        .await;
    assert_eq!(un["unskipTest"], true);
    let after = demo_report(&app).await;
    assert_eq!(state_in(&app, &after, "1.2.15").await, "FAIL");
}

#[actix_web::test]
async fn reports_page_newest_first_and_the_latest_report_is_the_newest() {
    let app = spawn_app().await;
    let oldest = demo_report(&app).await;
    demo_report(&app).await;
    let newest = demo_report(&app).await;
    let page = app.ok("{ reports(clusterId: \"demo\", first: 2) { edges { cursor node { id } } pageInfo { hasNextPage } } }", json!({})).await;
    let edges = page["reports"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["id"], newest.as_str());
    assert_eq!(page["reports"]["pageInfo"]["hasNextPage"], true);
    let rest = app
        .ok("query($a: String) { reports(clusterId: \"demo\", first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }", json!({ "a": edges[1]["cursor"] }))
        .await;
    assert_eq!(rest["reports"]["edges"][0]["node"]["id"], oldest.as_str());
    assert_eq!(rest["reports"]["pageInfo"]["hasNextPage"], false);
    let latest = app
        .ok(
            "{ cluster(id: \"demo\") { latestReport { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(latest["cluster"]["latestReport"]["id"], newest.as_str());
}

#[actix_web::test]
async fn the_csv_download_has_a_row_per_check_and_node_naming_the_node() {
    let app = spawn_app().await;
    let r = app
        .ok(REPORT, json!({ "id": demo_report(&app).await }))
        .await;
    let csv_url = r["report"]["csvUrl"].as_str().unwrap();
    let resp = app
        .client
        .get(format!("{}{csv_url}", app.address))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("cis-scan_demo_cis-1.11_"),
        "{disposition}"
    );
    let body = resp.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        cis_scan::engine::render::csv::HEADER.to_vec()
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let row = rows.iter().find(|r| &r[0] == "1.2.15").unwrap();
    assert_eq!(&row[2], "FAIL");
    assert_eq!(&row[4], "cp-1");
}

#[actix_web::test]
async fn the_csv_of_a_report_with_a_skipped_check_says_skip() {
    let app = spawn_app().await;
    app.ok(SKIP_PROFILING, json!({})).await;
    let end = app.scan_to_end("demo").await;
    let text = csv_of(&app, &end).await.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let skipped_row = rdr
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "1.2.15")
        .unwrap();
    assert_eq!(&skipped_row[2], "SKIP");
}

#[actix_web::test]
async fn a_deleted_report_is_gone_with_its_csv_and_a_second_delete_is_not_found() {
    let app = spawn_app().await;
    let end = app.scan_to_end("demo").await;
    let report_id = end["report"]["id"].as_str().unwrap();
    let delete = "mutation($id: ID!) { deleteReport(id: $id) }";
    let del = app.ok(delete, json!({ "id": report_id })).await;
    assert_eq!(del["deleteReport"], true);
    assert_eq!(
        code(&app.gql(delete, json!({ "id": report_id })).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql(REPORT, json!({ "id": report_id })).await),
        "NOT_FOUND"
    );
    assert_eq!(csv_of(&app, &end).await.status(), 404);
}

#[actix_web::test]
async fn live_progress_phases_and_late_subscribers() {
    let (gated, gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let (id, events) = crate::support::ws::follow_gated_scan(&app, &gate, PROGRESS).await;
    let phases: Vec<&str> = events
        .iter()
        .map(|e| e["scanProgress"]["phase"].as_str().unwrap())
        .collect();
    for p in ["COLLECTING", "EVALUATING", "SAVING", "DONE"] {
        assert!(phases.contains(&p), "{p} missing from {phases:?}");
    }
    let collecting = events
        .iter()
        .map(|e| &e["scanProgress"])
        .rfind(|e| e["phase"] == "COLLECTING" && e["nodesTotal"] == 2)
        .unwrap();
    assert_eq!(collecting["nodesDone"], 2);
    let evaluating = events
        .iter()
        .map(|e| &e["scanProgress"])
        .rfind(|e| e["phase"] == "EVALUATING")
        .unwrap();
    assert_eq!(evaluating["checksDone"], 133);
    assert_eq!(evaluating["checksTotal"], 133);
    let last = &events.last().unwrap()["scanProgress"];
    assert_eq!(last["state"], "SUCCEEDED");
    // a subscriber to a finished scan gets the final event, then completion
    let init = json!({ "Authorization": format!("Bearer {}", app.admin) });
    let (late, err) = subscribe(app.port, init, PROGRESS, json!({ "id": id })).await;
    assert!(err.is_none());
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["scanProgress"]["state"], "SUCCEEDED");
    assert_eq!(late[0]["scanProgress"]["reportId"], last["reportId"]);
}

#[actix_web::test]
async fn graphiql_page_and_health() {
    let app = crate::support::app::spawn_app().await;
    let page = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
    let ws_only = app
        .client
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ws_only.status(), 405);
}
