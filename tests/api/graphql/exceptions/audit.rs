//! The skip audit trail (skip, re-skip, unskip; paging; owners) and bad input.

use super::{skip, AUDIT, BOTH_NODES_FAIL, CP_FAILS, PASSES, SKIP};
use crate::support::app::spawn_app;
use crate::support::requests::code;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

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
