//! What a report's reader learns beyond the report: a paging cursor does not
//! tell an owner that another cluster's report exists, and no export is ever
//! sniffed into something else by a browser.

use crate::exports::formats::{demo_report_id, export};
use crate::support::app::spawn_app;
use crate::support::requests::code;
use serde_json::json;

const PAGE: &str = "query($a: String) { reports(first: 5, after: $a) { edges { cursor } } }";

#[actix_web::test]
async fn another_clusters_report_is_an_unknown_cursor_to_an_owner() {
    let app = spawn_app().await;
    let demo_report = demo_report_id(&app).await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let made_up = uuid::Uuid::new_v4().to_string();
    let theirs = app
        .gql_as(Some(&owner), PAGE, json!({ "a": demo_report }))
        .await;
    let unknown = app
        .gql_as(Some(&owner), PAGE, json!({ "a": made_up }))
        .await;
    assert_eq!(code(&theirs), "BAD_USER_INPUT", "{theirs}");
    assert_eq!(
        theirs["errors"][0]["message"], unknown["errors"][0]["message"],
        "an existing report of another cluster is told apart from a made-up id"
    );
    assert_eq!(theirs["data"], unknown["data"]);
    // the cluster's own owner, and an administrator, page on from it
    let own = cis_scan::service::auth::create_token(app.state.store(), Some("demo"))
        .await
        .unwrap();
    for token in [&own, &app.admin] {
        let r = app
            .gql_as(Some(token), PAGE, json!({ "a": demo_report }))
            .await;
        assert!(r.get("errors").is_none(), "{r}");
    }
}

#[actix_web::test]
async fn every_export_and_its_refusals_say_nosniff() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let formats = [
        "csv",
        "json",
        "kube-bench",
        "junit",
        "xccdf",
        "oscal",
        "sarif",
        "no-such-format",
    ];
    let mut answers = Vec::new();
    for f in formats {
        answers.push((f, export(&app, &id, f, Some(&app.admin)).await));
    }
    answers.push(("unauthenticated", export(&app, &id, "csv", None).await));
    answers.push(("bad id", export(&app, "x", "json", Some(&app.admin)).await));
    for (what, r) in answers {
        assert_eq!(
            r.headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{what}: {}",
            r.status()
        );
    }
}
