//! Report history: a report's predecessor, comparing two reports, a check's history.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use serde_json::{json, Value};

const SKIP: &str = "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\", reason: \"accepted, TICKET-2\") { testId } }";
const UNSKIP: &str = "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.15\") }";
const COMPARE: &str = "query($base: ID!, $head: ID!) { compareReports(base: $base, head: $head) {
    base { id } head { id }
    newFailures { id before after } fixed { id before after } stillFailing { id before after }
    changed { id description before after nodes { node before after } } } }";
const HISTORY: &str = "query($c: ID!, $last: Int) { checkHistory(clusterId: $c, checkId: \"1.2.15\", last: $last) { reportId createdAt state } }";

async fn report_of(app: &TestApp, cluster: &str) -> String {
    let end = app.scan_to_end(cluster).await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    end["report"]["id"].as_str().unwrap().to_string()
}

/// Three scans of the demo: 1.2.15 FAIL, then skipped (SKIP), then unskipped (FAIL).
async fn three_reports(app: &TestApp) -> [String; 3] {
    let first = report_of(app, "demo").await;
    app.ok(SKIP, json!({})).await;
    let second = report_of(app, "demo").await;
    app.ok(UNSKIP, json!({})).await;
    let third = report_of(app, "demo").await;
    [first, second, third]
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn a_skip_moves_a_failing_check_to_changed_and_an_unskip_to_new_failures() {
    let app = spawn_app().await;
    let [first, second, third] = three_reports(&app).await;
    let c = &app
        .ok(COMPARE, json!({ "base": first, "head": second }))
        .await["compareReports"];
    assert_eq!(c["base"]["id"], first.as_str());
    let changed = c["changed"].as_array().unwrap();
    let skipped = changed
        .iter()
        .find(|c| c["id"] == "1.2.15")
        .expect("1.2.15 changed");
    assert_eq!(skipped["before"], "FAIL");
    assert_eq!(skipped["after"], "SKIP");
    let nodes = skipped["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    assert!(nodes
        .iter()
        .all(|n| n["before"] == "FAIL" && n["after"] == "SKIP"));
    assert!(!ids(&c["stillFailing"]).contains(&"1.2.15"));
    assert!(
        !ids(&c["stillFailing"]).is_empty(),
        "the demo's other failures stay"
    );
    assert!(ids(&c["newFailures"]).is_empty());
    assert!(ids(&c["fixed"]).is_empty());
    let back = &app
        .ok(COMPARE, json!({ "base": second, "head": third }))
        .await["compareReports"];
    assert_eq!(ids(&back["newFailures"]), ["1.2.15"]);
    assert_eq!(back["newFailures"][0]["before"], "SKIP");
}

#[actix_web::test]
async fn previous_is_the_clusters_report_before_and_null_for_the_first() {
    let app = spawn_app().await;
    let [first, second, _] = three_reports(&app).await;
    let q =
        "query($id: ID!) { report(id: $id) { previous { id previous { id previous { id } } } } }";
    let r = app.ok(q, json!({ "id": second })).await;
    assert_eq!(r["report"]["previous"]["id"], first.as_str());
    assert_eq!(r["report"]["previous"]["previous"], Value::Null);
}

#[actix_web::test]
async fn check_history_lists_states_newest_first_and_honours_last() {
    let app = spawn_app().await;
    let [first, second, third] = three_reports(&app).await;
    let h = app.ok(HISTORY, json!({ "c": "demo" })).await;
    let got: Vec<(&str, &str)> = h["checkHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reportId"].as_str().unwrap(),
                e["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (third.as_str(), "FAIL"),
            (second.as_str(), "SKIP"),
            (first.as_str(), "FAIL")
        ]
    );
    let two = app.ok(HISTORY, json!({ "c": "demo", "last": 2 })).await;
    assert_eq!(two["checkHistory"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn another_owners_reports_and_cluster_are_not_found() {
    let app = spawn_app().await;
    let owner_other = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let demo = report_of(&app, "demo").await;
    let other = report_of(&app, "other").await;
    let as_other = |q: &'static str, v: Value| {
        let t = owner_other.clone();
        let app = &app;
        async move { code(&app.gql_as(Some(&t), q, v).await) }
    };
    assert_eq!(
        as_other(COMPARE, json!({ "base": other, "head": demo })).await,
        "NOT_FOUND"
    );
    assert_eq!(
        as_other(COMPARE, json!({ "base": demo, "head": other })).await,
        "NOT_FOUND"
    );
    assert_eq!(as_other(HISTORY, json!({ "c": "demo" })).await, "NOT_FOUND");
}

#[actix_web::test]
async fn reports_of_two_clusters_cannot_be_compared() {
    let app = spawn_app().await;
    let demo = report_of(&app, "demo").await;
    let other = report_of(&app, "other").await;
    let r = app
        .gql(COMPARE, json!({ "base": demo, "head": other }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn bad_ids_and_last_out_of_bounds_are_bad_user_input_or_not_found() {
    let app = spawn_app().await;
    let demo = report_of(&app, "demo").await;
    let bad = app
        .gql(COMPARE, json!({ "base": "nope", "head": demo }))
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let unknown = uuid::Uuid::new_v4().to_string();
    let missing = app
        .gql(COMPARE, json!({ "base": demo, "head": unknown }))
        .await;
    assert_eq!(code(&missing), "NOT_FOUND");
    for last in [0, 101] {
        let r = app.gql(HISTORY, json!({ "c": "demo", "last": last })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "last {last}");
    }
    assert_eq!(
        code(&app.gql(HISTORY, json!({ "c": "nope" })).await),
        "NOT_FOUND"
    );
}

#[actix_web::test]
async fn reports_saved_before_the_compact_states_compare_and_list_the_same() {
    let app = spawn_app().await;
    let [first, second, third] = three_reports(&app).await;
    let pair = json!({ "base": first, "head": second });
    let history = json!({ "c": "demo", "last": 3 });
    let compared = app.ok(COMPARE, pair.clone()).await;
    let listed = app.ok(HISTORY, history.clone()).await;
    for id in [&first, &second, &third] {
        crate::graphql::fleet_compact::forget_compact_states(&app, id).await;
    }
    // another replica on the same database: none of these reports in its memory
    let fresh = TestApp::builder().database(&app.database).spawn().await;
    assert_eq!(fresh.ok(COMPARE, pair).await, compared);
    assert_eq!(fresh.ok(HISTORY, history).await, listed);
}
