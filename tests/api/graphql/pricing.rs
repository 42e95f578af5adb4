//! Every field priced by what it really costs: lists longer than their static estimate
//! (a 1,000-node check) are charged while the request runs, comparisons and histories
//! carry a price, the same field asked twice under two aliases is refused, and
//! introspection counts.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use serde_json::{json, Value};

fn limit(r: &Value) -> &str {
    r["errors"][0]["extensions"]["limit"].as_str().unwrap_or("")
}

/// A service with a 1,000-node cluster "big" scanned once; the report's id.
async fn big_report() -> (TestApp, String) {
    crate::support::ui_sources::spawn_big(1000).await
}

#[actix_web::test]
async fn every_node_of_a_1000_node_report_costs_a_node_and_the_request_is_refused() {
    let (app, id) = big_report().await;
    let q = "query($id: ID!) { report(id: $id) { results { id nodes { node state actual } } } }";
    let r = app.gql(q, json!({ "id": id })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(limit(&r), "complexity", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("real lengths"),
        "{r}"
    );
}

#[actix_web::test]
async fn a_paged_read_of_a_1000_node_report_is_answered() {
    let (app, id) = big_report().await;
    let q = "query($id: ID!) { report(id: $id) { nodes results(states: [FAIL], limit: 10) {
        id nodeCount nodes(limit: 50) { node state actual } } } }";
    let d = app.ok(q, json!({ "id": id })).await;
    assert!(d["report"]["nodes"].as_array().unwrap().len() > 1000, "{d}");
    let first = &d["report"]["results"][0];
    assert!(first["nodes"].as_array().unwrap().len() <= 50, "{first}");
}

#[actix_web::test]
async fn the_same_field_with_the_same_arguments_under_two_aliases_is_refused() {
    let app = spawn_app().await;
    let r = app
        .gql("{ a: clusters { id } b: clusters { id } }", json!({}))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(limit(&r), "duplicate", "{r}");
    assert!(r["data"].is_null(), "nothing may run: {r}");
}

#[actix_web::test]
async fn many_comparisons_in_one_request_are_refused_by_their_price() {
    let app = spawn_app().await;
    // distinct arguments, so only the price can refuse them
    let body: Vec<String> = (0..80)
        .map(|i| {
            format!(
                "c{i}: compareReports(base: \"{}\", head: \"{}\") {{ newFailures {{ id }} }}",
                uuid::Uuid::new_v4(),
                uuid::Uuid::new_v4()
            )
        })
        .collect();
    let r = app
        .gql(&format!("{{ {} }}", body.join(" ")), json!({}))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(limit(&r), "complexity", "{r}");
}

#[actix_web::test]
async fn introspection_asked_more_than_four_times_is_refused() {
    let app = spawn_app().await;
    let mut q = String::from("{ ...F0 }");
    for i in 0..4 {
        q.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    q.push_str(" fragment F4 on Query { __schema { types { name fields { name } } } }");
    let r = app.gql(&q, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("__schema or __type 16 times"),
        "{r}"
    );
}
