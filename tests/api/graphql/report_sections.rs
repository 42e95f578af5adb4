//! A report's sections as its benchmark declares them, with titles, and the
//! fallback for a report whose benchmark this server no longer ships.

use crate::exports::formats::demo_report_id;
use crate::support::app::{spawn_app, TestApp};
use cis_scan::service::store::entity::report;
use sea_orm::{sea_query::Expr, EntityTrait};
use serde_json::{json, Value};

const SECTIONS: &str = "query($id: ID!) { report(id: $id) {
    sections { id title checks } etcd: resultCount(section: \"2\") } }";

fn section<'a>(answer: &'a Value, id: &str) -> Option<&'a Value> {
    answer["report"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
}

#[actix_web::test]
async fn sections_are_the_benchmarks_own_with_titles_and_fall_back_to_prefixes_for_a_retired_benchmark(
) {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let answer = app.ok(SECTIONS, json!({ "id": id })).await;
    assert_eq!(
        section(&answer, "2"),
        Some(&json!({ "id": "2", "title": "Etcd Node Configuration", "checks": 7 }))
    );
    assert_eq!(section(&answer, "1.2").unwrap()["title"], "API Server");
    assert!(section(&answer, "2.1").is_none(), "{answer}");
    assert_eq!(answer["report"]["etcd"], 7);

    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    report::Entity::update_many()
        .col_expr(report::Column::Benchmark, Expr::value("retired-0.1"))
        .exec(&db)
        .await
        .unwrap();
    // another replica: nothing of the report in its memory
    let fresh = TestApp::builder().database(&app.database).spawn().await;
    let answer = fresh.ok(SECTIONS, json!({ "id": id })).await;
    assert_eq!(
        section(&answer, "2.1"),
        Some(&json!({ "id": "2.1", "title": "", "checks": 1 }))
    );
    assert!(section(&answer, "2").is_none(), "{answer}");
    assert_eq!(answer["report"]["etcd"], 7);
}
