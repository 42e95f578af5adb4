//! Exceptions (skipped tests) that expire, apply to some nodes only, show when
//! they last hid a result, and leave an audit trail.

use crate::support::app::{code, spawn_app, TestApp};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{json, Value};

const SKIP: &str = "mutation($t: String!, $r: String, $e: DateTime, $n: [String!]) {
    skipTest(clusterId: \"demo\", testId: $t, reason: $r, expiresAt: $e, nodes: $n) {
        testId reason expiresAt nodes expired lastMatchedAt } }";
const LISTED: &str = "{ skippedTests(clusterId: \"demo\") { testId reason skippedBy expiresAt nodes expired lastMatchedAt } }";
const REPORT: &str = "query($id: ID!) { report(id: $id) { finishedAt results { id state reason nodes { node state reason } } } }";
const AUDIT: &str = "query($c: ID!, $t: String, $f: Int, $a: String) {
    skipAudit(clusterId: $c, testId: $t, first: $f, after: $a) {
        edges { cursor node { testId action replaced by at reason expiresAt nodes } }
        pageInfo { hasNextPage } } }";

/// A check failing on both demo nodes (cp-1 and worker-1).
const BOTH_NODES_FAIL: &str = "4.1.1";
/// A check failing on the control plane only.
const CP_FAILS: &str = "1.2.15";
/// A check passing on the control plane.
const PASSES: &str = "1.1.1";

async fn skip(
    app: &TestApp,
    test: &str,
    expires: Option<DateTime<Utc>>,
    nodes: Option<Vec<&str>>,
) -> Value {
    app.ok(
        SKIP,
        json!({ "t": test, "r": format!("accepted for {test}"), "e": expires, "n": nodes }),
    )
    .await["skipTest"]
        .clone()
}

/// Scans the demo and returns its report.
async fn scanned(app: &TestApp) -> Value {
    let end = app.scan_to_end("demo").await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    app.ok(REPORT, json!({ "id": end["report"]["id"] })).await["report"].clone()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn node<'a>(check: &'a Value, name: &str) -> &'a Value {
    check["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == name)
        .unwrap_or_else(|| panic!("no node {name} in {check}"))
}

async fn listed(app: &TestApp, test: &str) -> Value {
    let all = app.ok(LISTED, json!({})).await;
    all["skippedTests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["testId"] == test)
        .cloned()
        .unwrap_or_else(|| panic!("{test} not listed: {all}"))
}

#[actix_web::test]
async fn an_exception_stops_applying_once_the_clock_passes_its_expiry_and_stays_listed_as_expired()
{
    let app = spawn_app().await;
    // whole seconds: what the database keeps of it is compared below
    let expires = (app.state.scanner.clock.now() + Duration::hours(1)).trunc_subsecs(0);
    let s = skip(&app, CP_FAILS, Some(expires), None).await;
    assert_eq!(s["expired"], false);
    assert_eq!(check(&scanned(&app).await, CP_FAILS)["state"], "SKIP");

    app.state.scanner.clock.advance(Duration::hours(2));
    assert_eq!(check(&scanned(&app).await, CP_FAILS)["state"], "FAIL");
    let l = listed(&app, CP_FAILS).await;
    assert_eq!(l["expired"], true, "{l}");
    assert_eq!(
        l["expiresAt"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        expires
    );
}

#[actix_web::test]
async fn a_node_scoped_exception_skips_only_the_listed_node() {
    let app = spawn_app().await;
    let s = skip(&app, BOTH_NODES_FAIL, None, Some(vec!["cp-1"])).await;
    assert_eq!(s["nodes"], json!(["cp-1"]));
    let r = scanned(&app).await;
    let c = check(&r, BOTH_NODES_FAIL);
    let cp = node(c, "cp-1");
    assert_eq!(cp["state"], "SKIP");
    let why = cp["reason"].as_str().unwrap();
    assert!(
        why.contains("accepted for 4.1.1") && why.contains("by admin:"),
        "{why}"
    );
    let worker = node(c, "worker-1");
    assert_eq!(worker["state"], "FAIL");
    assert!(!worker["reason"].as_str().unwrap_or("").contains("skipped"));
    // the check's state follows its nodes: the worker still fails
    assert_eq!(c["state"], "FAIL");
    assert!(
        !c["reason"].as_str().unwrap_or("").contains("skipped"),
        "{c}"
    );
}

#[actix_web::test]
async fn a_node_scoped_exception_covering_every_failing_node_makes_the_check_skip_with_its_reason()
{
    let app = spawn_app().await;
    skip(&app, CP_FAILS, None, Some(vec!["cp-1"])).await;
    let r = scanned(&app).await;
    let c = check(&r, CP_FAILS);
    assert_eq!(c["state"], "SKIP");
    let why = c["reason"].as_str().unwrap();
    assert!(
        why.contains("accepted for 1.2.15") && why.ends_with("on cp-1"),
        "{why}"
    );
}

#[actix_web::test]
async fn last_matched_at_is_the_end_of_the_scan_whose_failure_it_hid() {
    let app = spawn_app().await;
    skip(&app, CP_FAILS, None, None).await;
    assert_eq!(listed(&app, CP_FAILS).await["lastMatchedAt"], Value::Null);
    let r = scanned(&app).await;
    let matched = listed(&app, CP_FAILS).await["lastMatchedAt"].clone();
    let at: DateTime<Utc> = matched.as_str().unwrap().parse().unwrap();
    let ended: DateTime<Utc> = r["finishedAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(at, ended);
}

#[actix_web::test]
async fn an_exception_that_hid_nothing_has_no_last_matched_time() {
    let app = spawn_app().await;
    skip(&app, PASSES, None, None).await;
    // on the worker only: the worker's result is not applicable, nothing to hide
    skip(&app, CP_FAILS, None, Some(vec!["worker-1"])).await;
    let r = scanned(&app).await;
    assert_eq!(check(&r, PASSES)["state"], "SKIP");
    assert_eq!(check(&r, CP_FAILS)["state"], "FAIL");
    assert_eq!(listed(&app, PASSES).await["lastMatchedAt"], Value::Null);
    assert_eq!(listed(&app, CP_FAILS).await["lastMatchedAt"], Value::Null);
}

#[actix_web::test]
async fn the_audit_trail_records_skip_reskip_and_unskip_with_who_when_and_why_newest_first() {
    let app = spawn_app().await;
    let before = Utc::now() - Duration::seconds(1);
    skip(&app, CP_FAILS, None, None).await;
    let expires = Utc::now() + Duration::days(30);
    skip(&app, CP_FAILS, Some(expires), Some(vec!["cp-1"])).await;
    let un = app
        .ok(
            "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.15\") }",
            json!({}),
        )
        .await;
    assert_eq!(un["unskipTest"], true);
    let page = app.ok(AUDIT, json!({ "c": "demo" })).await;
    let entries: Vec<&Value> = page["skipAudit"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    let actions: Vec<(&str, bool)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["replaced"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [("UNSKIP", false), ("SKIP", true), ("SKIP", false)]
    );
    for e in &entries {
        assert_eq!(e["testId"], CP_FAILS);
        assert!(e["by"].as_str().unwrap().starts_with("admin:"), "{e}");
        let at: DateTime<Utc> = e["at"].as_str().unwrap().parse().unwrap();
        assert!(at >= before, "{e}");
        assert_eq!(e["reason"], "accepted for 1.2.15");
    }
    // the re-skip and the unskip carry the replacing exception's expiry and nodes
    assert_eq!(entries[1]["nodes"], json!(["cp-1"]));
    assert!(entries[1]["expiresAt"].is_string());
    assert_eq!(entries[0]["nodes"], json!(["cp-1"]));
    assert_eq!(entries[2]["nodes"], json!([]));
    assert_eq!(entries[2]["expiresAt"], Value::Null);
}

#[actix_web::test]
async fn an_unskip_of_a_test_that_was_not_skipped_records_nothing() {
    let app = spawn_app().await;
    let un = app
        .ok(
            "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.15\") }",
            json!({}),
        )
        .await;
    assert_eq!(un["unskipTest"], false);
    let page = app.ok(AUDIT, json!({ "c": "demo" })).await;
    assert_eq!(page["skipAudit"]["edges"], json!([]));
}

#[actix_web::test]
async fn the_audit_trail_pages_with_first_and_after_and_filters_by_test() {
    let app = spawn_app().await;
    for test in [CP_FAILS, PASSES, BOTH_NODES_FAIL] {
        skip(&app, test, None, None).await;
    }
    let first = app.ok(AUDIT, json!({ "c": "demo", "f": 2 })).await["skipAudit"].clone();
    let edges = first["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["testId"], BOTH_NODES_FAIL);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let rest = app
        .ok(
            AUDIT,
            json!({ "c": "demo", "f": 2, "a": edges[1]["cursor"] }),
        )
        .await["skipAudit"]
        .clone();
    assert_eq!(rest["edges"].as_array().unwrap().len(), 1);
    assert_eq!(rest["edges"][0]["node"]["testId"], CP_FAILS);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let one = app.ok(AUDIT, json!({ "c": "demo", "t": PASSES })).await;
    assert_eq!(one["skipAudit"]["edges"].as_array().unwrap().len(), 1);
    let too_many = app.gql(AUDIT, json!({ "c": "demo", "f": 101 })).await;
    assert_eq!(code(&too_many), "BAD_USER_INPUT", "{too_many}");
}

#[actix_web::test]
async fn the_audit_trail_is_also_on_the_cluster() {
    let app = spawn_app().await;
    skip(&app, CP_FAILS, None, None).await;
    let d = app
        .ok(
            "{ cluster(id: \"demo\") { skipAudit(first: 5) { edges { node { testId action } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        d["cluster"]["skipAudit"]["edges"][0]["node"],
        json!({ "testId": CP_FAILS, "action": "SKIP" })
    );
}

#[actix_web::test]
async fn an_owner_of_another_cluster_gets_not_found_for_the_audit_trail_and_the_exceptions() {
    let app = spawn_app().await;
    skip(&app, CP_FAILS, None, None).await;
    let other = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let r = app
        .gql_as(Some(&other), AUDIT, json!({ "c": "demo" }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let r = app
        .gql_as(Some(&other), SKIP, json!({ "t": CP_FAILS, "n": ["cp-1"] }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let own = app
        .gql_as(Some(&other), AUDIT, json!({ "c": "other" }))
        .await;
    assert_eq!(own["data"]["skipAudit"]["edges"], json!([]), "{own}");
}

#[actix_web::test]
async fn an_expiry_in_the_past_is_bad_user_input_naming_the_field() {
    let app = spawn_app().await;
    let past = Utc::now() - Duration::minutes(1);
    let r = app.gql(SKIP, json!({ "t": CP_FAILS, "e": past })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("expiresAt"));
}

#[actix_web::test]
async fn too_many_or_too_long_node_names_are_bad_user_input_naming_the_field() {
    let app = spawn_app().await;
    let many: Vec<String> = (0..1001).map(|i| format!("node-{i}")).collect();
    let long = vec!["n".repeat(254)];
    for nodes in [many, long] {
        let r = app.gql(SKIP, json!({ "t": CP_FAILS, "n": nodes })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
        assert!(r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nodes"));
    }
    let audit = app.ok(AUDIT, json!({ "c": "demo" })).await;
    assert_eq!(audit["skipAudit"]["edges"], json!([]));
}

#[actix_web::test]
async fn skipping_again_replaces_the_reason_expiry_and_nodes() {
    let app = spawn_app().await;
    skip(
        &app,
        BOTH_NODES_FAIL,
        Some(Utc::now() + Duration::days(1)),
        Some(vec!["cp-1"]),
    )
    .await;
    app.ok(
        SKIP,
        json!({ "t": BOTH_NODES_FAIL, "r": "second thoughts" }),
    )
    .await;
    let l = listed(&app, BOTH_NODES_FAIL).await;
    assert_eq!(l["reason"], "second thoughts");
    assert_eq!(l["expiresAt"], Value::Null);
    assert_eq!(l["nodes"], json!([]));
    let r = scanned(&app).await;
    assert_eq!(check(&r, BOTH_NODES_FAIL)["state"], "SKIP");
}
