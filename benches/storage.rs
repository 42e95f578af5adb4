//! What a 1,000-node report costs in the database (3 control planes and 997
//! workers from the demo facts, cis-1.11, 133 checks), on SQLite and PostgreSQL:
//! the bytes each of 3 saved reports adds, then the time to read a whole report
//! back (every check with its node results, as the report cache loads it) and one
//! check's nodes (as history and compare read them), and the whole report again
//! with its rows rewritten as the service stored them before compact storage
//! (format 1, which it still reads until the migration converts them).
//!
//! `cargo bench --bench storage`; PostgreSQL at `BENCH_POSTGRES_URL` (default
//! postgres://postgres@127.0.0.1:5432/test; a database is created and dropped),
//! skipped when it does not answer. Only API the service had before compact
//! storage is used, so the same file measures the code before it.

use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::report::Report;
use cis_scan::service::store::entity::check_result;
use cis_scan::service::store::Store;
use criterion::Criterion;
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

#[path = "nodes_source.rs"]
mod nodes_source;

const MIB: f64 = 1024.0 * 1024.0;

/// One integer a query answers.
async fn number(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The database's size in bytes: SQLite's pages after a checkpoint, or the
/// report tables of PostgreSQL with their TOAST and indexes.
async fn size(url: &str) -> i64 {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let bytes = if url.starts_with("sqlite") {
        let busy = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(busy, 0, "the checkpoint was blocked");
        number(&db, "PRAGMA page_count").await * number(&db, "PRAGMA page_size").await
    } else {
        number(
            &db,
            "SELECT (pg_total_relation_size('check_results') + pg_total_relation_size('reports'))::bigint",
        )
        .await
    };
    db.close().await.ok();
    bytes
}

/// Saves `report` as a finished scan of cluster "big".
async fn save(store: &Store, report: &Report) -> Uuid {
    let scan = store.insert_scan("big", None, "bench", None).await.unwrap();
    let lease = chrono::Utc::now() + chrono::Duration::minutes(5);
    assert!(store.claim_scan(scan.id, "bench", lease).await.unwrap());
    store
        .save_report(scan.id, "big", report, chrono::Utc::now(), None, &[])
        .await
        .unwrap()
}

/// Rewrites report `id`'s rows as the service wrote them before compact storage.
async fn store_as_format_1(url: &str, store: &Store, id: Uuid) {
    let db = sea_orm::Database::connect(url).await.unwrap();
    for c in store.check_results(id, &[], None).await.unwrap() {
        check_result::Entity::update_many()
            .col_expr(
                check_result::Column::Nodes,
                Expr::value(serde_json::to_string(&c.nodes).unwrap()),
            )
            .filter(check_result::Column::Id.eq(c.row.id))
            .exec(&db)
            .await
            .unwrap();
    }
    db.close().await.ok();
}

/// A fresh PostgreSQL database next to `base`'s, or None when it does not answer.
async fn postgres_database(base: &str) -> Option<(String, String)> {
    let admin = sea_orm::Database::connect(base).await.ok()?;
    let name = format!("cis_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .ok()?;
    admin.close().await.ok();
    let (prefix, _) = base.rsplit_once('/')?;
    Some((format!("{prefix}/{name}"), name))
}

fn measure(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    label: &str,
    url: &str,
    report: &Report,
) {
    let store = rt.block_on(Store::connect(url)).unwrap();
    rt.block_on(store.upsert_cluster("big", "big", "bench"))
        .unwrap();
    let empty = rt.block_on(size(url));
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(rt.block_on(save(&store, report)));
    }
    let added = rt.block_on(size(url)) - empty;
    println!(
        "{label}: 3 reports of {} nodes added {added} bytes: {:.2} MiB per report",
        report.nodes.len(),
        added as f64 / 3.0 / MIB
    );
    let whole = |id: Uuid| {
        let checks = rt.block_on(store.check_results(id, &[], None)).unwrap();
        let results: Vec<_> = checks
            .into_iter()
            .map(|c| c.into_result().unwrap())
            .collect();
        results
    };
    assert_eq!(whole(ids[0]), report.results, "read back as saved");
    let mut g = c.benchmark_group(label);
    g.sample_size(10);
    g.bench_function("read a whole 1,000-node report", |b| {
        b.iter(|| whole(ids[0]))
    });
    let check = vec!["4.2.1".to_string()];
    g.bench_function("read one check's nodes (4.2.1)", |b| {
        b.iter(|| {
            let found = rt.block_on(store.checks_named(&[ids[0]], &check)).unwrap();
            assert_eq!(found[&ids[0]][0].nodes.len(), report.nodes.len());
            found
        })
    });
    rt.block_on(store_as_format_1(url, &store, ids[1]));
    assert_eq!(whole(ids[1]), report.results, "format 1 read back as saved");
    g.bench_function("read a whole report stored in format 1", |b| {
        b.iter(|| whole(ids[1]))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let catalog = Catalog::embedded().unwrap();
    let source = nodes_source::NodesSource(nodes_source::demo_nodes(1000));
    let report = rt.block_on(nodes_source::scan(&catalog, &source, "cis-1.11"));
    let dir = tempfile::TempDir::new().unwrap();
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    measure(&mut c, &rt, "sqlite", &sqlite, &report);
    let base = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match rt.block_on(postgres_database(&base)) {
        Some((url, name)) => {
            measure(&mut c, &rt, "postgres", &url, &report);
            rt.block_on(async {
                let admin = sea_orm::Database::connect(&base).await.unwrap();
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .unwrap();
            });
        }
        None => println!("postgres: {base} does not answer; skipped"),
    }
    c.final_summary();
}
