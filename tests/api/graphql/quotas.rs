//! What one cluster's owner may ask of the service: schedules are bounded in
//! number and in frequency, each refusal naming the setting.

use crate::support::app::spawn_app;
use crate::support::requests::code;
use serde_json::{json, Value};

const CREATE: &str =
    "mutation($c: String!) { createSchedule(clusterId: \"demo\", cron: $c) { id } }";

fn message(v: &Value) -> &str {
    v["errors"][0]["message"].as_str().unwrap_or("")
}

#[actix_web::test]
async fn a_schedule_beyond_the_per_cluster_limit_is_refused_naming_it() {
    let app = spawn_app().await;
    for h in 0..10 {
        app.ok(CREATE, json!({ "c": format!("0 {h} * * *") })).await;
    }
    let r = app.gql(CREATE, json!({ "c": "0 11 * * *" })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("schedules.max_per_cluster"), "{r}");
}

#[actix_web::test]
async fn another_clusters_schedules_do_not_count_against_the_limit() {
    let app = spawn_app().await;
    for h in 0..10 {
        app.ok(CREATE, json!({ "c": format!("0 {h} * * *") })).await;
    }
    app.ok(
        "mutation { createSchedule(clusterId: \"other\", cron: \"0 3 * * *\") { id } }",
        json!({}),
    )
    .await;
}

#[actix_web::test]
async fn a_schedule_running_more_often_than_the_floor_is_refused_naming_it() {
    let app = spawn_app().await;
    for cron in ["* * * * * *", "*/2 * * * *", "0,1 3 * * *"] {
        let r = app.gql(CREATE, json!({ "c": cron })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{cron}: {r}");
        assert!(message(&r).contains("schedules.min_interval"), "{r}");
    }
    app.ok(CREATE, json!({ "c": "*/5 * * * *" })).await;
}

#[actix_web::test]
async fn changing_a_schedules_cron_to_run_too_often_is_refused() {
    let app = spawn_app().await;
    let id = app.ok(CREATE, json!({ "c": "0 3 * * *" })).await["createSchedule"]["id"].clone();
    let r = app
        .gql(
            "mutation($id: ID!) { updateSchedule(id: $id, cron: \"* * * * *\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(message(&r).contains("schedules.min_interval"), "{r}");
}
