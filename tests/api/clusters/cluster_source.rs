//! `Cluster.source` names server paths, so owners see only `sourceKind`.

use crate::support::app::spawn_app;
use serde_json::json;

const CLUSTER: &str = "{ cluster(id: \"demo\") { sourceKind source } }";

#[actix_web::test]
async fn administrators_see_the_source_description() {
    let app = spawn_app().await;
    let d = app.ok(CLUSTER, json!({})).await;
    assert_eq!(d["cluster"]["sourceKind"], "SNAPSHOT");
    assert_eq!(d["cluster"]["source"], "snapshot builtin:demo");
}

#[actix_web::test]
async fn owners_see_only_the_kind_of_source() {
    let app = spawn_app().await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("demo"))
        .await
        .unwrap();
    let r = app.gql_as(Some(&owner), CLUSTER, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["cluster"]["sourceKind"], "SNAPSHOT");
    assert!(r["data"]["cluster"]["source"].is_null(), "{r}");
    let listed = app
        .gql_as(
            Some(&owner),
            "{ clusters { sourceKind source } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["clusters"],
        json!([{ "sourceKind": "SNAPSHOT", "source": null }])
    );
}
