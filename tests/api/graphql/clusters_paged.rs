//! `clusters` a page at a time: bounded pages with a count, worst first, searched
//! by name or id, an owner's own only.

use crate::support::app::spawn_app;
use crate::support::requests::code;
use serde_json::json;

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn clusters_come_a_page_at_a_time_with_their_count() {
    let app = spawn_app().await;
    let all = app.ok("{ clusterCount clusters { id } }", json!({})).await;
    assert_eq!(all["clusterCount"], 2);
    assert_eq!(ids(&all), ["demo", "other"]);
    let q = "query($o: Int!) { clusters(first: 1, offset: $o) { id } }";
    assert_eq!(ids(&app.ok(q, json!({ "o": 0 })).await), ["demo"]);
    assert_eq!(ids(&app.ok(q, json!({ "o": 1 })).await), ["other"]);
    assert!(ids(&app.ok(q, json!({ "o": 2 })).await).is_empty());
}

#[actix_web::test]
async fn a_page_out_of_bounds_or_a_long_search_is_bad_user_input() {
    let app = spawn_app().await;
    for q in [
        "{ clusters(first: 0) { id } }",
        "{ clusters(first: 501) { id } }",
        "{ clusters(offset: -1) { id } }",
    ] {
        assert_eq!(code(&app.gql(q, json!({})).await), "BAD_USER_INPUT", "{q}");
    }
    let long = "x".repeat(101);
    let r = app
        .gql(
            "query($s: String) { clusterCount(search: $s) }",
            json!({ "s": long }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
}

#[actix_web::test]
async fn worst_first_puts_clusters_with_failures_before_clusters_without_a_report() {
    let app = spawn_app().await;
    let scan = app.scan_to_end("other").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    let d = app
        .ok("{ clusters(worstFirst: true) { id } }", json!({}))
        .await;
    assert_eq!(ids(&d), ["other", "demo"]);
}

#[actix_web::test]
async fn search_keeps_clusters_whose_name_or_id_contains_it_ignoring_case() {
    let app = spawn_app().await;
    let q = "query($s: String) { clusterCount(search: $s) clusters(search: $s) { id } }";
    let d = app.ok(q, json!({ "s": "OTH" })).await;
    assert_eq!(ids(&d), ["other"]);
    assert_eq!(d["clusterCount"], 1);
    let none = app.ok(q, json!({ "s": "no such cluster" })).await;
    assert_eq!(none["clusterCount"], 0);
}

#[actix_web::test]
async fn an_owner_lists_and_counts_only_its_cluster() {
    let app = spawn_app().await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("demo"))
        .await
        .unwrap();
    let d = app
        .gql_as(
            Some(&owner),
            "{ clusterCount clusters(worstFirst: true) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(d["data"]["clusterCount"], 1, "{d}");
    assert_eq!(ids(&d["data"]), ["demo"]);
}
