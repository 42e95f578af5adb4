//! Whole answers read only from saved reports, kept and sent again: the same bytes as
//! the request that built them, only to callers who may see the report now, never for
//! a deleted report, never for a request that reads changing data, within their room.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use cis_scan::api::graphql::stored_answers::answer_key;
use cis_scan::service::report_answers::StoredAnswer;
use serde_json::{json, Value};
use std::sync::Arc;

/// The whole report as `benches/load/read.sh` asks for it.
const WHOLE: &str =
    "query($id: ID!) { report(id: $id) { id state benchmarkVersion kubernetesVersion \
    provider mode nodes createdAt csvUrl summary { total pass fail warn skip notApplicable error } \
    results { id description state scored automated section nodeType remediation reason \
    nodes { node state actual expected source reason } } } }";

async fn report_of(app: &TestApp, cluster: &str) -> String {
    let end = app.scan_to_end(cluster).await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    end["report"]["id"].as_str().unwrap().to_string()
}

/// The raw bytes of a GraphQL answer.
async fn raw(app: &TestApp, token: &str, query: &str, variables: Value) -> Vec<u8> {
    let r = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

/// The key the service keeps this request's answer under.
fn key(query: &str, variables: Value) -> String {
    let r = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    answer_key(&r)
}

fn kept(app: &TestApp, query: &str, variables: Value) -> Option<Arc<StoredAnswer>> {
    app.state.reports.answers().get(&key(query, variables))
}

async fn owner_of(app: &TestApp, cluster: &str) -> String {
    cis_scan::service::auth::create_token(app.state.store(), Some(cluster))
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_kept_answer_is_byte_for_byte_the_answer_that_was_built() {
    let app = spawn_app().await;
    let id = report_of(&app, "demo").await;
    let vars = json!({ "id": id });
    assert!(kept(&app, WHOLE, vars.clone()).is_none());
    let built = raw(&app, &app.admin, WHOLE, vars.clone()).await;
    let answer = kept(&app, WHOLE, vars.clone()).expect("the whole report is kept");
    assert_eq!(&*answer.body, built.as_slice());
    assert_eq!(&*answer.reports, [uuid::Uuid::parse_str(&id).unwrap()]);
    assert!(answer.cost > 0);
    let again = raw(&app, &app.admin, WHOLE, vars.clone()).await;
    assert_eq!(again, built);
    let parsed: Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(parsed["data"]["report"]["summary"]["total"], 133);
    // the same report asked for otherwise is another answer
    let other = raw(
        &app,
        &app.admin,
        WHOLE.replace("csvUrl ", "").as_str(),
        vars,
    )
    .await;
    assert_ne!(other, built);
}

#[actix_web::test]
async fn a_caller_who_may_not_see_the_report_gets_not_found_never_the_kept_answer() {
    let app = spawn_app().await;
    let id = report_of(&app, "demo").await;
    let vars = json!({ "id": id });
    let built = raw(&app, &app.admin, WHOLE, vars.clone()).await;
    assert!(kept(&app, WHOLE, vars.clone()).is_some());
    let other = owner_of(&app, "other").await;
    let refused: Value =
        serde_json::from_slice(&raw(&app, &other, WHOLE, vars.clone()).await).unwrap();
    assert_eq!(code(&refused), "NOT_FOUND", "{refused}");
    assert!(refused["data"]["report"].is_null(), "{refused}");
    // no token: the request runs and says so
    let r = app.gql_as(None, WHOLE, vars.clone()).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    // the demo's owner may see it: the same bytes
    let demo = owner_of(&app, "demo").await;
    assert_eq!(raw(&app, &demo, WHOLE, vars).await, built);
}

#[actix_web::test]
async fn every_report_of_a_kept_answer_is_checked_for_the_caller() {
    let app = spawn_app().await;
    let (demo, other) = (
        report_of(&app, "demo").await,
        report_of(&app, "other").await,
    );
    let q = "query($a: ID!, $b: ID!) { a: report(id: $a) { id } b: report(id: $b) { id } }";
    let vars = json!({ "a": demo, "b": other });
    let built = raw(&app, &app.admin, q, vars.clone()).await;
    assert_eq!(kept(&app, q, vars.clone()).unwrap().reports.len(), 2);
    let owner = owner_of(&app, "demo").await;
    let r: Value = serde_json::from_slice(&raw(&app, &owner, q, vars.clone()).await).unwrap();
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    assert_eq!(r["data"]["a"]["id"], demo.as_str());
    assert_eq!(raw(&app, &app.admin, q, vars).await, built);
}

#[actix_web::test]
async fn a_deleted_report_is_not_served_and_its_answers_are_dropped() {
    let app = spawn_app().await;
    let id = report_of(&app, "demo").await;
    let vars = json!({ "id": id });
    raw(&app, &app.admin, WHOLE, vars.clone()).await;
    assert!(kept(&app, WHOLE, vars.clone()).is_some());
    app.ok("mutation($id: ID!) { deleteReport(id: $id) }", vars.clone())
        .await;
    assert!(kept(&app, WHOLE, vars.clone()).is_none());
    let r = app.gql(WHOLE, vars).await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
}

#[actix_web::test]
async fn a_report_deleted_on_another_replica_is_not_served_from_its_kept_answer() {
    let a = spawn_app().await;
    let b = a.replica_confirming_every_read().await;
    let id = report_of(&a, "demo").await;
    let vars = json!({ "id": id });
    raw(&b, &b.admin, WHOLE, vars.clone()).await;
    assert!(kept(&b, WHOLE, vars.clone()).is_some());
    a.ok("mutation($id: ID!) { deleteReport(id: $id) }", vars.clone())
        .await;
    let r = b.gql(WHOLE, vars).await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
}

#[actix_web::test]
async fn a_request_that_reads_changing_data_is_never_kept() {
    let app = spawn_app().await;
    let id = report_of(&app, "demo").await;
    let vars = json!({ "id": id });
    let changing = [
        "query($id: ID!) { report(id: $id) { id previous { id } } }",
        "query($id: ID!) { report(id: $id) { id } skippedTests(clusterId: \"demo\") { testId } }",
        "query($id: ID!) { report(id: $id) { id } clusters { id } }",
        "query($id: ID!) { report(id: $id) { id } reports(first: 5) { nodes { id } } }",
        "query($id: ID!) { report(id: $id) { id } __schema { queryType { name } } }",
    ];
    for q in changing {
        app.ok(q, vars.clone()).await;
        app.ok(q, vars.clone()).await;
        assert!(kept(&app, q, vars.clone()).is_none(), "{q}");
    }
    // and what changes shows at once
    let q = changing[1];
    app.ok(
        "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\", reason: \"later\") { testId } }",
        json!({}),
    )
    .await;
    let d = app.ok(q, vars).await;
    assert_eq!(d["skippedTests"][0]["testId"], "1.2.15", "{d}");
    // an answer with an error is not kept either
    let bad = "query($id: ID!) { report(id: $id) { results(offset: -1) { id } } }";
    let vars = json!({ "id": id });
    assert_eq!(code(&app.gql(bad, vars.clone()).await), "BAD_USER_INPUT");
    assert!(kept(&app, bad, vars).is_none());
}

#[actix_web::test]
async fn a_kept_answer_is_sent_within_the_complexity_limit_only() {
    let app = spawn_app().await;
    let id = report_of(&app, "demo").await;
    let vars = json!({ "id": id });
    let q = "query($id: ID!) { report(id: $id) { summary { total } } }";
    let built = raw(&app, &app.admin, q, vars.clone()).await;
    let report = uuid::Uuid::parse_str(&id).unwrap();
    let limit = app.state.settings.limits.query_complexity;
    let planted = |cost: usize, text: &'static [u8]| StoredAnswer {
        body: Arc::from(text),
        reports: [report].into(),
        cost,
    };
    // what is kept is what is sent: a planted answer within the limit comes back as is
    let answers = app.state.reports.answers();
    answers.keep(
        &key(q, vars.clone()),
        planted(limit, b"{\"data\":\"planted\"}"),
    );
    assert_eq!(
        raw(&app, &app.admin, q, vars.clone()).await,
        b"{\"data\":\"planted\"}"
    );
    // the same request, as if it had cost more than the limit when it ran: it runs again
    answers.keep(
        &key(q, vars.clone()),
        planted(limit + 1, b"{\"data\":\"over\"}"),
    );
    assert_eq!(raw(&app, &app.admin, q, vars.clone()).await, built);
}

#[actix_web::test]
async fn ever_new_documents_and_variables_keep_the_answers_within_their_room() {
    // an eighth of it, 32 KiB, for whole answers, each at most 2 KiB
    let app = TestApp::builder()
        .report_cache_bytes(256 << 10)
        .spawn()
        .await;
    let id = report_of(&app, "demo").await;
    let mut asked = Vec::new();
    for n in 1..=120 {
        // a new text every other request, new variables every time
        let q = format!(
            "query($id: ID!, $n: Int) {{ report(id: $id) {{ r{}: results(limit: $n) {{ id }} }} }}",
            n / 2
        );
        let vars = json!({ "id": id, "n": n % 60 + 1 });
        app.ok(&q, vars.clone()).await;
        asked.push((q, vars));
    }
    let weight = app.state.reports.answers().weighted_size();
    assert!(weight <= 32 << 10, "{weight} bytes");
    let still = asked
        .iter()
        .filter(|(q, v)| kept(&app, q, v.clone()).is_some())
        .count();
    assert!(
        still > 0 && still < asked.len(),
        "{still} of {} kept",
        asked.len()
    );
}
