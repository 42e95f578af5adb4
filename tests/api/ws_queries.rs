//! Queries and mutations over the websocket under the same time, cost and
//! answer limits as over POST /graphql, and a revoked token refusing them.

use crate::support::app::code;
use crate::ws_rules::{admin, ready, run, spawn_changed};
use serde_json::{json, Value};
use std::time::Duration;

#[actix_web::test]
async fn a_query_over_the_socket_past_the_answer_cap_is_refused_as_over_http() {
    let app = spawn_changed(|s| s.max_response_bytes = 4096).await;
    let id = app.scan_to_end("demo").await["report"]["id"].clone();
    let q = "query($id: ID!) { report(id: $id) { results { id remediation } } }";
    let over_http = app.gql(q, json!({ "id": id })).await;
    let mut ws = ready(app.port, admin(&app)).await;
    let r = run(&mut ws, "1", q, json!({ "id": id })).await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "responseSize", "{r}");
    assert_eq!(r["errors"], over_http["errors"]);
}

#[actix_web::test]
async fn a_query_over_the_socket_past_the_cost_limit_is_refused() {
    let app = spawn_changed(|_| {}).await;
    let mut ws = ready(app.port, admin(&app)).await;
    let q = "{ reports(first: 100) { edges { node { results { nodes { actual } } } } } }";
    let r = run(&mut ws, "1", q, json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "complexity", "{r}");
}

#[actix_web::test]
async fn a_query_over_the_socket_past_the_time_limit_is_stopped() {
    let app = spawn_changed(|s| s.request_timeout_seconds = 1e-9).await;
    let mut ws = ready(app.port, admin(&app)).await;
    let r = run(
        &mut ws,
        "1",
        "{ clusters { id latestReport { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "timeout", "{r}");
    assert!(r.to_string().contains("ran longer"), "{r}");
}

#[actix_web::test]
async fn a_revoked_token_refuses_new_operations_on_its_open_socket() {
    let app = spawn_changed(|_| {}).await;
    let (id, token) = cis_scan::service::auth::create(app.state.store(), Default::default())
        .await
        .unwrap();
    let mut ws = ready(
        app.port,
        json!({ "Authorization": format!("Bearer {token}") }),
    )
    .await;
    app.state.store().revoke_token(id).await.unwrap();
    // the token cache holds a few seconds, then one recheck of the connection notices
    let mut r = Value::Null;
    for i in 0..60 {
        r = run(&mut ws, &format!("q{i}"), "{ clusters { id } }", json!({})).await;
        if r.get("errors").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    assert!(r.to_string().contains("revoked"), "{r}");
}
