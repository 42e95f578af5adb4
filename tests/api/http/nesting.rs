//! Deeply nested documents, sent without a token, are refused before anything
//! parses them, over HTTP and over the websocket, and the service answers on.

use crate::http::ws_rules::{next, open, ready, run, Next};
use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use futures_util::SinkExt;
use serde_json::{json, Value};

/// `{ reports(last: [[…1…]]) { totalCount } }` nested `levels` deep.
fn deep_list(levels: usize) -> String {
    format!(
        "{{ reports(last: {}1{}) {{ totalCount }} }}",
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

/// Without a token, as the attack came.
async fn anonymous(app: &TestApp, query: &str, variables: Value) -> Value {
    app.gql_as(None, query, variables).await
}

/// The service still answers a plain query and its health check.
async fn still_answers(app: &TestApp) {
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let r = app.gql("{ clusters { id } }", json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
}

fn assert_nesting_refused(r: &Value) {
    assert_eq!(code(r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "nesting", "{r}");
    assert!(r["data"].is_null(), "{r}");
}

#[actix_web::test]
async fn a_list_argument_nested_2000_levels_is_refused_and_the_service_answers_on() {
    let app = spawn_app().await;
    let r = anonymous(&app, &deep_list(2_000), json!({})).await;
    assert_nesting_refused(&r);
    still_answers(&app).await;
}

/// The parser's own stack guard stops it near the end of the stack, but the
/// steps after it recurse again: depths just under the guard are the ones that
/// overflowed. Every depth from 100 to 1,500 by 50 is sent.
#[actix_web::test]
async fn lists_and_objects_at_every_depth_up_to_the_parsers_guard_are_refused() {
    let app = spawn_app().await;
    for levels in (100..=1_500).step_by(50) {
        let objects = format!(
            "{{ reports(filter: {}1{}) {{ totalCount }} }}",
            "{a: ".repeat(levels),
            "}".repeat(levels)
        );
        for q in [deep_list(levels), objects] {
            assert_nesting_refused(&anonymous(&app, &q, json!({})).await);
        }
    }
    still_answers(&app).await;
}

#[actix_web::test]
async fn an_object_argument_nested_10000_levels_is_refused_and_the_service_answers_on() {
    let app = spawn_app().await;
    let q = format!(
        "{{ reports(filter: {}1{}) {{ totalCount }} }}",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    );
    let r = anonymous(&app, &q, json!({})).await;
    assert_nesting_refused(&r);
    still_answers(&app).await;
}

#[actix_web::test]
async fn selections_and_list_types_nested_10000_levels_are_refused() {
    let app = spawn_app().await;
    let selections = format!("{}x{}", "{ a ".repeat(10_000), "}".repeat(10_000));
    let types = format!(
        "query($v: {}Int{}) {{ clusters {{ id }} }}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    for q in [selections, types] {
        assert_nesting_refused(&anonymous(&app, &q, json!({})).await);
    }
    still_answers(&app).await;
}

#[actix_web::test]
async fn brackets_inside_a_string_argument_are_not_nesting() {
    let app = spawn_app().await;
    let q = format!(
        "{{ report(id: \"{}\") {{ id }} }} # {}",
        "[{".repeat(5_000),
        "[".repeat(5_000)
    );
    let r = app.gql(&q, json!({})).await;
    assert_ne!(r["errors"][0]["extensions"]["limit"], "nesting", "{r}");
}

#[actix_web::test]
async fn variables_nested_10000_levels_are_refused_as_a_bad_body() {
    let app = spawn_app().await;
    let mut v = String::from("1");
    for _ in 0..10_000 {
        v = format!("[{v}]");
    }
    let body = format!("{{\"query\": \"{{ clusters {{ id }} }}\", \"variables\": {{\"x\": {v}}}}}");
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let r: Value = res.json().await.unwrap();
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(r.to_string().contains("recursion limit"), "{r}");
    still_answers(&app).await;
}

#[actix_web::test]
async fn variables_nested_just_under_the_json_limit_are_answered() {
    let app = spawn_app().await;
    let mut v = json!(1);
    for _ in 0..120 {
        v = json!([v]);
    }
    let q = "query($x: [Int]) { clusters { id } }";
    let r = anonymous(&app, q, json!({ "x": v })).await;
    // an answer (here: the variable does not fit its type, or no token), not a crash
    assert!(r.get("errors").is_some(), "{r}");
    still_answers(&app).await;
}

#[actix_web::test]
async fn a_list_argument_nested_2000_levels_over_the_websocket_is_refused() {
    let app = spawn_app().await;
    let mut ws = ready(app.port, json!({})).await;
    let r = run(&mut ws, "1", &deep_list(2_000), json!({})).await;
    assert_nesting_refused(&r);
    // the same socket answers on
    let r = run(&mut ws, "2", "{ clusters { id } }", json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    still_answers(&app).await;
}

#[actix_web::test]
async fn a_websocket_message_nested_10000_levels_closes_the_socket_cleanly() {
    let app = spawn_app().await;
    let mut ws = open(app.port).await.unwrap();
    let payload = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let init = format!("{{\"type\": \"connection_init\", \"payload\": {payload}}}");
    ws.send(tokio_tungstenite::tungstenite::Message::text(init))
        .await
        .unwrap();
    assert!(matches!(next(&mut ws).await, Next::Closed(1002, _)));
    still_answers(&app).await;
}
