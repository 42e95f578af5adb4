//! The read path: filtering and paging a report's results and per-node results,
//! and a deleted report leaving the in-memory cache on every replica.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use serde_json::{json, Value};

async fn report_id(app: &crate::support::app::TestApp) -> String {
    let scan = app.scan_to_end("demo").await;
    scan["report"]["id"].as_str().unwrap().to_string()
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn results_filtered_by_node_hold_only_that_nodes_results() {
    let app = spawn_app().await;
    let id = report_id(&app).await;
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { results(node: \"worker-1\") { id nodes { node } } } }",
            json!({ "id": id }),
        )
        .await;
    let results = d["report"]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let nodes: Vec<&str> = r["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["node"].as_str().unwrap())
            .collect();
        assert_eq!(nodes, ["worker-1"], "check {}", r["id"]);
    }
    // cluster-wide policy checks (section 5) have no result on any node
    assert!(ids(&d["report"]["results"])
        .iter()
        .all(|i| !i.starts_with("5.")));
}

#[actix_web::test]
async fn results_page_by_offset_and_limit_in_benchmark_order_with_a_count() {
    let app = spawn_app().await;
    let id = report_id(&app).await;
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { all: results { id } page: results(offset: 5, limit: 3) { id }
               fails: resultCount(states: [FAIL]) failList: results(states: [FAIL]) { id } count: resultCount } }",
            json!({ "id": id }),
        )
        .await;
    let r = &d["report"];
    let all = ids(&r["all"]);
    assert_eq!(ids(&r["page"]), all[5..8].to_vec());
    assert_eq!(r["count"], all.len());
    assert_eq!(r["fails"], r["failList"].as_array().unwrap().len());
}

#[actix_web::test]
async fn a_checks_nodes_filter_by_state_and_node_and_page() {
    let app = spawn_app().await;
    let id = report_id(&app).await;
    // 4.2.1 (kubelet anonymous auth) has a result on both nodes of the demo
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { results(section: \"4.2.1\") {
               all: nodes { node state } second: nodes(offset: 1, limit: 1) { node }
               one: nodes(node: \"cp-1\") { node } count: nodeCount none: nodeCount(states: [ERROR]) } } }",
            json!({ "id": id }),
        )
        .await;
    let c = &d["report"]["results"][0];
    let all = c["all"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(c["count"], 2);
    assert_eq!(c["none"], 0);
    assert_eq!(c["second"][0]["node"], all[1]["node"]);
    assert_eq!(c["one"].as_array().unwrap().len(), 1);
    assert_eq!(c["one"][0]["node"], "cp-1");
}

#[actix_web::test]
async fn a_negative_offset_is_bad_user_input() {
    let app = spawn_app().await;
    let id = report_id(&app).await;
    let r = app
        .gql(
            "query($id: ID!) { report(id: $id) { results(offset: -1) { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn a_report_read_then_deleted_is_not_found_on_the_same_replica() {
    let app = spawn_app().await;
    let id = report_id(&app).await;
    let q = "query($id: ID!) { report(id: $id) { summary { total } results { id } } }";
    app.ok(q, json!({ "id": id })).await;
    app.ok(
        "mutation($id: ID!) { deleteReport(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(code(&app.gql(q, json!({ "id": id })).await), "NOT_FOUND");
}

#[actix_web::test]
async fn a_report_deleted_on_another_replica_is_not_served_from_memory() {
    let a = spawn_app().await;
    let b = a.replica_confirming_every_read().await;
    let id = report_id(&a).await;
    let q = "query($id: ID!) { report(id: $id) { summary { total } results { id } } }";
    let on_b = b.ok(q, json!({ "id": id })).await;
    assert_eq!(on_b["report"]["summary"]["total"], 133);
    a.ok(
        "mutation($id: ID!) { deleteReport(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(code(&b.gql(q, json!({ "id": id })).await), "NOT_FOUND");
    let csv = b
        .client
        .get(format!("{}/reports/{id}/csv", b.address))
        .bearer_auth(&b.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 404);
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (NOTIFY): TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo test --test api -- --ignored announced"]
async fn a_delete_announced_on_postgresql_reaches_the_other_replica_before_its_recheck() {
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    assert!(
        url.starts_with("postgres"),
        "this test needs TEST_DATABASE_URL to name a PostgreSQL server"
    );
    let a = spawn_app().await;
    let b = TestApp::builder()
        .database(&a.database)
        // an hour: only the announcement can make B drop the report during the test
        .report_cache_recheck(std::time::Duration::from_secs(3600))
        .without_scheduler()
        .spawn()
        .await;
    let id = report_id(&a).await;
    let q = "query($id: ID!) { report(id: $id) { summary { total } } }";
    b.ok(q, json!({ "id": id })).await;
    a.ok(
        "mutation($id: ID!) { deleteReport(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    // the notification is delivered asynchronously
    wait_for(
        "replica B to stop serving the deleted report",
        EVENT,
        || async { (code(&b.gql(q, json!({ "id": id })).await) == "NOT_FOUND").then_some(()) },
    )
    .await;
}
