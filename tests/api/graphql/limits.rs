//! What one request may cost: depth and complexity refused before anything runs,
//! introspection answered, batched loads that answer as unbatched ones did,
//! and the time and size caps.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use serde_json::{json, Value};

const INTROSPECTION: &str = include_str!("../fixtures/introspection.graphql");
const INTROSPECTION_FULL: &str = include_str!("../fixtures/introspection-full.graphql");

/// The query an owner used to stall the service: 40 aliases of a page of 100 reports with
/// every result (page sizes differ, so that the price refuses it, not the duplicate rule).
fn forty_aliases() -> String {
    let one = |n| {
        format!("reports(first: {n}) {{ edges {{ node {{ results {{ nodes {{ actual }} }} }} }} }}")
    };
    let body: Vec<String> = (0..40).map(|i| format!("a{i}: {}", one(100 - i))).collect();
    format!("{{ {} }}", body.join(" "))
}

fn message(v: &Value) -> String {
    v["errors"][0]["message"].as_str().unwrap_or("").to_string()
}

async fn two_reports(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let scan = app.scan_to_end("demo").await;
        ids.push(scan["report"]["id"].as_str().unwrap().to_string());
    }
    ids
}

#[actix_web::test]
async fn the_standard_introspection_query_is_answered() {
    let app = spawn_app().await;
    let r = app.gql(INTROSPECTION, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let types = r["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Report"));
}

#[actix_web::test]
async fn the_introspection_query_with_every_option_is_answered() {
    let app = spawn_app().await;
    let r = app.gql(INTROSPECTION_FULL, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert!(r["data"]["__schema"]["queryType"]["name"] == "Query");
}

#[actix_web::test]
async fn forty_aliased_pages_of_results_are_refused_naming_the_cost() {
    let app = spawn_app().await;
    two_reports(&app).await;
    let r = app.gql(&forty_aliases(), json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("costs"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "complexity", "{r}");
    assert!(r["data"].is_null(), "nothing may run: {r}");
}

#[actix_web::test]
async fn a_page_of_100_reports_with_every_result_is_refused() {
    let app = spawn_app().await;
    let r = app
        .gql(
            "{ reports(first: 100) { edges { node { results { nodes { actual } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
}

#[actix_web::test]
async fn a_report_page_as_a_person_reads_it_is_within_the_cost_limit() {
    let app = spawn_app().await;
    let id = &two_reports(&app).await[0];
    let q = "query($id: ID!) { report(id: $id) { id state summary { total pass fail warn skip notApplicable error }
        results { id description state scored automated section nodeType remediation reason
          nodes { node state actual expected source reason } } } }";
    let d = app.ok(q, json!({ "id": id })).await;
    assert!(!d["report"]["results"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn a_query_nested_too_deep_is_refused_with_its_depth() {
    let app = spawn_app().await;
    let q = format!("{{ {}x{} }}", "a { ".repeat(13), " }".repeat(13));
    let r = app.gql(&q, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("depth 14"), "{r}");
}

#[actix_web::test]
async fn fragments_that_double_at_every_level_are_refused() {
    let app = spawn_app().await;
    let mut q = String::from("{ ...F0 }");
    for i in 0..25 {
        q.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    q.push_str(" fragment F25 on Query { clusters { id } }");
    let r = app.gql(&q, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("fields"), "{r}");
}

#[actix_web::test]
async fn batched_results_match_each_reports_own_filter_and_summary() {
    let app = spawn_app().await;
    two_reports(&app).await;
    let d = app
        .ok(
            "{ reports(first: 10) { edges { node { summary { fail pass }
                failed: results(states: [FAIL]) { id state }
                passed: results(states: [PASS]) { id state } } } } }",
            json!({}),
        )
        .await;
    let edges = d["reports"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    for e in edges {
        let n = &e["node"];
        let failed = n["failed"].as_array().unwrap();
        let passed = n["passed"].as_array().unwrap();
        assert_eq!(failed.len() as i64, n["summary"]["fail"].as_i64().unwrap());
        assert_eq!(passed.len() as i64, n["summary"]["pass"].as_i64().unwrap());
        assert!(failed.iter().all(|c| c["state"] == "FAIL"));
        assert!(passed.iter().all(|c| c["state"] == "PASS"));
    }
}

#[actix_web::test]
async fn every_cluster_shows_its_own_newest_report() {
    let app = spawn_app().await;
    let demo = two_reports(&app).await;
    let other = app.scan_to_end("other").await["report"]["id"].clone();
    let d = app
        .ok(
            "{ clusters { id latestReport { id clusterId } } }",
            json!({}),
        )
        .await;
    for c in d["clusters"].as_array().unwrap() {
        let want = if c["id"] == "demo" {
            json!(demo[1])
        } else {
            other.clone()
        };
        assert_eq!(c["latestReport"]["id"], want, "{c}");
        assert_eq!(c["latestReport"]["clusterId"], c["id"]);
    }
}

#[actix_web::test]
async fn an_answer_over_the_size_cap_is_refused_saying_so() {
    let app = TestApp::builder().max_response_bytes(4096).spawn().await;
    let id = &two_reports(&app).await[0];
    let r = app
        .gql(
            "query($id: ID!) { report(id: $id) { results { id remediation } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("over the limit of 4096"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "responseSize", "{r}");
}

#[actix_web::test]
async fn a_request_running_past_the_time_limit_is_stopped_saying_so() {
    let app = TestApp::builder()
        // the first database read already takes longer than this
        .request_timeout(std::time::Duration::from_nanos(1))
        .spawn()
        .await;
    let r = app
        .gql("{ clusters { id latestReport { id } } }", json!({}))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("ran longer"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "timeout", "{r}");
}
