//! Exceptions (skipped tests) that expire, apply to some nodes only and show
//! when they last hid a result; `audit` covers the audit trail and bad input.

mod audit;

use crate::support::app::{spawn_app, TestApp};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{json, Value};

pub(super) const SKIP: &str = "mutation($t: String!, $r: String, $e: DateTime, $n: [String!]) {
    skipTest(clusterId: \"demo\", testId: $t, reason: $r, expiresAt: $e, nodes: $n) {
        testId reason expiresAt nodes expired lastMatchedAt unknownNodes } }";
const LISTED: &str = "{ skippedTests(clusterId: \"demo\") { testId reason skippedBy expiresAt nodes expired lastMatchedAt } }";
const REPORT: &str = "query($id: ID!) { report(id: $id) { finishedAt results { id state reason nodes { node state reason } } } }";
pub(super) const AUDIT: &str = "query($c: ID!, $t: String, $f: Int, $a: String) {
    skipAudit(clusterId: $c, testId: $t, first: $f, after: $a) {
        edges { cursor node { testId action replaced by at reason expiresAt nodes } }
        pageInfo { hasNextPage } } }";

/// A check failing on both demo nodes (cp-1 and worker-1).
pub(super) const BOTH_NODES_FAIL: &str = "4.1.1";
/// A check failing on the control plane only.
pub(super) const CP_FAILS: &str = "1.2.15";
/// A check passing on the control plane.
pub(super) const PASSES: &str = "1.1.1";

pub(super) async fn skip(
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
pub(super) async fn scanned(app: &TestApp) -> Value {
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
async fn a_named_node_the_latest_report_lacks_is_listed_as_unknown() {
    let app = spawn_app().await;
    scanned(&app).await;
    // "cp1" is a typo for cp-1: the exception would hide nothing there
    let s = skip(&app, CP_FAILS, None, Some(vec!["cp-1", "cp1"])).await;
    assert_eq!(s["unknownNodes"], json!(["cp1"]), "{s}");
    let cluster_wide = skip(&app, PASSES, None, None).await;
    assert_eq!(cluster_wide["unknownNodes"], json!([]));
}

#[actix_web::test]
async fn before_the_first_report_no_named_node_is_unknown() {
    let app = spawn_app().await;
    let s = skip(&app, CP_FAILS, None, Some(vec!["cp1"])).await;
    assert_eq!(s["unknownNodes"], json!([]), "{s}");
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
