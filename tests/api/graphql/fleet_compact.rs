//! Each report's compact check states: what the fleet reads, and how reports
//! saved before them are read (from their check rows) and then backfilled.

use crate::graphql::fleet::{report, scan, three_clusters, FLEET};
use crate::support::app::TestApp;
use cis_scan::service::store::entity::report;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// Makes report `id` look saved before the compact column existed.
pub(crate) async fn forget_compact_states(app: &TestApp, id: &str) {
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    report::Entity::update_many()
        .col_expr(
            report::Column::CheckStates,
            Expr::value(Option::<String>::None),
        )
        .filter(report::Column::Id.eq(Uuid::parse_str(id).unwrap()))
        .exec(&db)
        .await
        .unwrap();
}

async fn compact_states(app: &TestApp, id: &str) -> Option<String> {
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    report::Entity::find_by_id(Uuid::parse_str(id).unwrap())
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .check_states
}

#[actix_web::test]
async fn a_report_saved_before_the_compact_states_is_read_from_its_check_rows() {
    let app = three_clusters().await;
    app.ok(
        "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\") { testId } }",
        json!({}),
    )
    .await;
    let old = scan(&app, "demo", None).await;
    let new = scan(&app, "other", None).await;
    // as a report written before the column existed: no compact states
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    report::Entity::update_many()
        .col_expr(
            report::Column::CheckStates,
            Expr::value(Option::<String>::None),
        )
        .filter(report::Column::Id.eq(uuid::Uuid::parse_str(&old).unwrap()))
        .exec(&db)
        .await
        .unwrap();
    let f = app.ok(FLEET, json!({})).await["fleet"].clone();
    let (_, old_states) = report(&app, &old).await;
    let (_, new_states) = report(&app, &new).await;
    let checks = f["checks"].as_array().unwrap();
    assert_eq!(checks.len(), old_states.len());
    for c in checks {
        let id = c["id"].as_str().unwrap();
        assert_eq!(
            c["states"][0].as_str(),
            old_states.get(id).map(String::as_str),
            "{id}"
        );
        assert_eq!(
            c["states"][1].as_str(),
            new_states.get(id).map(String::as_str),
            "{id}"
        );
        assert!(!c["description"].as_str().unwrap().is_empty(), "{id}");
        assert!(!c["section"].as_str().unwrap().is_empty(), "{id}");
    }
    let row = checks.iter().find(|c| c["id"] == "1.2.15").unwrap();
    assert_eq!(row["states"], json!(["SKIP", "FAIL", null]));
}

#[actix_web::test]
async fn the_backfill_writes_an_older_reports_states_as_a_save_would() {
    let app = three_clusters().await;
    let id = scan(&app, "demo", None).await;
    let saved = compact_states(&app, &id).await;
    assert!(saved.is_some(), "a save writes the compact states");
    forget_compact_states(&app, &id).await;
    let store = app.state.store();
    assert_eq!(
        cis_scan::service::fleet::backfill_check_states(store)
            .await
            .unwrap(),
        1
    );
    assert_eq!(compact_states(&app, &id).await, saved);
    assert_eq!(
        cis_scan::service::fleet::backfill_check_states(store)
            .await
            .unwrap(),
        0,
        "nothing left"
    );
}

#[actix_web::test]
async fn titles_the_definitions_lack_are_read_from_the_reports_rows_once_per_check() {
    let app = three_clusters().await;
    let a = Uuid::parse_str(&scan(&app, "demo", None).await).unwrap();
    let b = Uuid::parse_str(&scan(&app, "other", None).await).unwrap();
    let ids = vec![
        "1.2.15".to_string(),
        "4.1.1".to_string(),
        "9.9.9".to_string(),
    ];
    let titles = app.state.store().check_titles(&[a, b], &ids).await.unwrap();
    assert_eq!(titles.len(), 2, "no row has 9.9.9: {titles:?}");
    let (title, section) = &titles["1.2.15"];
    assert!(title.contains("--profiling"), "{title}");
    assert_eq!(section, "1");
    assert_eq!(titles["4.1.1"].1, "4");
}
