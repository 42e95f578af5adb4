//! Saving a 1,000-node report in one transaction on SQLite, and the fleet view of
//! 200 clusters. Run with `cargo bench --bench store`.

use cis_scan::engine::benchmark::Catalog;
use cis_scan::service::principal::Principal;
use cis_scan::service::scan::lifecycle::ScanState;
use cis_scan::service::store::Store;
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

#[path = "nodes_source.rs"]
mod nodes_source;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let store = rt.block_on(Store::connect(&url)).unwrap();
    rt.block_on(store.upsert_cluster("big", "big", "bench"))
        .unwrap();
    let catalog = Catalog::embedded().unwrap();
    let source = nodes_source::NodesSource(nodes_source::demo_nodes(1000));
    let report = rt.block_on(nodes_source::scan(&catalog, &source, "cis-1.11"));
    let who = Principal::Admin {
        token_id: uuid::Uuid::new_v4(),
    };
    let mut g = c.benchmark_group("store");
    g.sample_size(10);
    g.bench_function("save 1000-node report (sqlite)", |bch| {
        bch.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                rt.block_on(async {
                    let scan = store
                        .insert_scan("big", None, &who.name(), None)
                        .await
                        .unwrap();
                    assert!(store
                        .claim_scan(
                            scan.id,
                            "bench",
                            chrono::Utc::now() + chrono::Duration::minutes(5)
                        )
                        .await
                        .unwrap());
                    let t = Instant::now();
                    store
                        .save_report(scan.id, "big", &report, chrono::Utc::now(), None, &[])
                        .await
                        .unwrap();
                    total += t.elapsed();
                    assert_eq!(
                        store.scan(scan.id).await.unwrap().unwrap().state,
                        ScanState::Succeeded
                    );
                });
            }
            total
        })
    });
    g.finish();
}

/// A SQLite store in `dir` with 200 clusters, each with an older report and a
/// latest `report`; with `compact: false` as if saved before the reports'
/// compact check states existed (the fleet then reads every check row).
fn fleet_store(
    rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    report: &cis_scan::engine::report::Report,
    compact: bool,
) -> Store {
    use cis_scan::service::store::entity::report;
    use sea_orm::{sea_query::Expr, EntityTrait};
    let name = if compact { "fleet.db" } else { "legacy.db" };
    let url = format!("sqlite://{}?mode=rwc", dir.join(name).display());
    let store = rt.block_on(Store::connect(&url)).unwrap();
    rt.block_on(async {
        for i in 0..200 {
            let cluster = format!("cluster-{i:03}");
            nodes_source::save_as(&store, &cluster, report).await;
            nodes_source::save_as(&store, &cluster, report).await;
        }
        if !compact {
            let db = sea_orm::Database::connect(&url).await.unwrap();
            report::Entity::update_many()
                .col_expr(
                    report::Column::CheckStates,
                    Expr::value(Option::<String>::None),
                )
                .exec(&db)
                .await
                .unwrap();
        }
    });
    store
}

/// The fleet query through the service layer: 200 clusters, each with an older
/// report and a latest cis-1.11 report of 3 nodes (130 checks), on SQLite; side
/// by side, the same reports without their compact check states.
fn fleet(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let catalog = Catalog::embedded().unwrap();
    let source = nodes_source::NodesSource(nodes_source::demo_nodes(3));
    let report = rt.block_on(nodes_source::scan(&catalog, &source, "cis-1.11"));
    let store = fleet_store(&rt, dir.path(), &report, true);
    let legacy = fleet_store(&rt, dir.path(), &report, false);
    let req = cis_scan::service::fleet::FleetRequest {
        benchmark: None,
        offset: 0,
        first: 200,
        worst_first: false,
    };
    let mut g = c.benchmark_group("fleet");
    g.sample_size(20);
    for (name, store) in [
        ("fleet of 200 clusters x 130 checks (sqlite)", &store),
        (
            "the same from check rows (reports saved before compact states)",
            &legacy,
        ),
    ] {
        g.bench_function(name, |bch| {
            bch.iter(|| {
                let f = rt
                    .block_on(cis_scan::service::fleet::fleet(store, &catalog, None, &req))
                    .unwrap();
                assert_eq!(f.clusters.len(), 200);
                assert_eq!(f.checks.len(), report.results.len());
                assert!(f.checks.iter().all(|c| !c.title.is_empty()));
                f
            })
        });
    }
    let ids: Vec<String> = (0..200).map(|i| format!("cluster-{i:03}")).collect();
    g.bench_function("of which the newest reports' headers", |bch| {
        bch.iter(|| {
            rt.block_on(async {
                store.latest_benchmarks(&ids).await.unwrap();
                store
                    .latest_reports_where(&ids, Some("cis-1.11"))
                    .await
                    .unwrap()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench, fleet);
criterion_main!(benches);
