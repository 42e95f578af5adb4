//! How long the migration to compact node results takes: 3 reports of 1,000
//! nodes (3 control planes, 997 workers from the demo facts, cis-1.11, 133
//! checks) saved, converted back to format 1 by the migration's `down` (as a
//! database from before it holds them), then converted by its `up`, as a
//! start-up runs it; on SQLite and PostgreSQL. Prints the times and the bytes of
//! the node results in either format.
//!
//! `cargo bench --bench storage_migration`; PostgreSQL at `BENCH_POSTGRES_URL`
//! (default postgres://postgres@127.0.0.1:5432/test; a database is created and
//! dropped), skipped when it does not answer.

use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::report::Report;
use cis_scan::service::store::Store;
use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use std::time::Instant;

#[path = "nodes_source.rs"]
mod nodes_source;

/// Bytes of the check rows' `nodes`, and of how many rows.
async fn stored(db: &sea_orm::DatabaseConnection) -> (i64, i64) {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(SUM(LENGTH(nodes)) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM check_results",
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
    )
}

async fn measure(label: &str, url: &str, report: &Report) {
    let store = Store::connect(url).await.unwrap();
    store.upsert_cluster("big", "big", "bench").await.unwrap();
    for _ in 0..3 {
        let scan = store.insert_scan("big", None, "bench", None).await.unwrap();
        let lease = chrono::Utc::now() + chrono::Duration::minutes(5);
        assert!(store.claim_scan(scan.id, "bench", lease).await.unwrap());
        store
            .save_report(scan.id, "big", report, chrono::Utc::now(), None, &[])
            .await
            .unwrap();
    }
    let db = sea_orm::Database::connect(url).await.unwrap();
    let compact = stored(&db).await;
    let t = Instant::now();
    Migrator::down(&db, Some(1)).await.unwrap();
    let down = t.elapsed();
    let old = stored(&db).await;
    let t = Instant::now();
    Migrator::up(&db, None).await.unwrap();
    let up = t.elapsed();
    assert_eq!(stored(&db).await, compact, "converted as a save writes");
    println!(
        "{label}: {} check rows of 3 reports: format 1 {:.2} MiB, format 2 {:.3} MiB; \
         up (convert) {:.2} s, {:.2} s per report; down {:.2} s",
        old.1,
        old.0 as f64 / 1048576.0,
        compact.0 as f64 / 1048576.0,
        up.as_secs_f64(),
        up.as_secs_f64() / 3.0,
        down.as_secs_f64()
    );
    db.close().await.ok();
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let catalog = Catalog::embedded().unwrap();
    let source = nodes_source::NodesSource(nodes_source::demo_nodes(1000));
    let report = rt.block_on(nodes_source::scan(&catalog, &source, "cis-1.11"));
    let dir = tempfile::TempDir::new().unwrap();
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
    rt.block_on(measure("sqlite", &sqlite, &report));
    let base = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    rt.block_on(async {
        let Ok(admin) = sea_orm::Database::connect(&base).await else {
            println!("postgres: {base} does not answer; skipped");
            return;
        };
        let name = format!("cis_bench_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (prefix, _) = base.rsplit_once('/').unwrap();
        measure("postgres", &format!("{prefix}/{name}"), &report).await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    });
}
