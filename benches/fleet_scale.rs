//! A fleet of 5,000 clusters, each with two reports (history), behind the GraphQL
//! schema the service serves: the overview's first page (the query
//! `web/app/overview.js` sends: count, 25 clusters worst first with their latest
//! report's summary) and the fleet view's first page (`web/app/fleet.js`: 25
//! clusters worst first with every check's states). Run with
//! `cargo bench --bench fleet_scale` (SQLite file; set FLEET_CLUSTERS for another
//! size). Prints the first (cold) answer's time, then criterion's figures.

use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::report::State as CheckState;
use cis_scan::service::principal::Principal;
use cis_scan::service::settings::Settings;
use cis_scan::service::Service;
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::Arc;
use std::time::Instant;

#[path = "nodes_source.rs"]
mod nodes_source;

const OVERVIEW: &str = "query Overview($first: Int!, $offset: Int!, $search: String) {
  clusterCount(search: $search)
  clusters(first: $first, offset: $offset, worstFirst: true, search: $search) { id name benchmark
    latestReport { id state benchmarkVersion finishedAt
      summary { total pass fail warn skip notApplicable error } } } }";

const FLEET: &str = "query F($b: String, $first: Int, $offset: Int, $w: Boolean!) {
  fleet(benchmark: $b, first: $first, offset: $offset, worstFirst: $w) {
    benchmark benchmarks { benchmark clusters } totalClusters
    clusters { clusterId clusterName reportId finishedAt summary { fail error warn } }
    checks { id description states counts { fail error warn } } } }";

/// A service over a SQLite file holding `n` clusters with two reports each; the
/// latest reports differ (cluster i passes its first i % 40 failing checks) so
/// worst-first order has work to do.
fn seeded(rt: &tokio::runtime::Runtime, dir: &std::path::Path, n: usize) -> Arc<Service> {
    let url = format!("sqlite://{}?mode=rwc", dir.join("fleet.db").display());
    let mut settings = Settings::load(None).unwrap();
    settings.database.url = url.into();
    settings.schedules.run = false;
    settings.database.acquire_timeout = std::time::Duration::from_secs(30);
    let service = rt.block_on(Service::start(settings, Vec::new())).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let source = nodes_source::NodesSource(nodes_source::demo_nodes(1));
    let report = rt.block_on(nodes_source::scan(&catalog, &source, "cis-1.12"));
    let started = Instant::now();
    rt.block_on(async {
        for i in 0..n {
            let cluster = format!("cluster-{i:05}");
            let mut latest = report.clone();
            let mut passed = 0;
            for r in latest.results.iter_mut() {
                if r.state == CheckState::Fail && passed < i % 40 {
                    r.state = CheckState::Pass;
                    passed += 1;
                }
            }
            nodes_source::save_as(service.store(), &cluster, &report).await;
            nodes_source::save_as(service.store(), &cluster, &latest).await;
        }
    });
    eprintln!(
        "seeded {n} clusters x 2 reports in {:.1?}",
        started.elapsed()
    );
    service
}

fn request(query: &str, vars: serde_json::Value) -> async_graphql::Request {
    async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(vars))
        .data(Principal::Admin {
            token_id: uuid::Uuid::new_v4(),
        })
}

fn fleet_scale(c: &mut Criterion) {
    let n: usize = std::env::var("FLEET_CLUSTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let service = seeded(&rt, dir.path(), n);
    let schema = cis_scan::api::graphql::build(Some(service), 12, 5000);
    let overview = || request(OVERVIEW, serde_json::json!({"first": 25, "offset": 0}));
    let fleet = || {
        request(
            FLEET,
            serde_json::json!({"first": 25, "offset": 0, "w": true}),
        )
    };
    let run = |req: async_graphql::Request| {
        let r = rt.block_on(schema.execute(req));
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        r
    };
    for (name, req) in [("overview", overview()), ("fleet", fleet())] {
        let t = Instant::now();
        let answer = run(req);
        let bytes = serde_json::to_vec(&answer).unwrap().len();
        eprintln!("{name}: first answer {:.1?}, {bytes} bytes", t.elapsed());
    }
    let mut g = c.benchmark_group("fleet_scale");
    g.sample_size(20);
    g.bench_function(
        format!("overview first page of {n} clusters (25, worst first)"),
        |b| b.iter(|| run(overview())),
    );
    g.bench_function(
        format!("fleet first page of {n} clusters (25, worst first)"),
        |b| b.iter(|| run(fleet())),
    );
    g.finish();
}

criterion_group!(benches, fleet_scale);
criterion_main!(benches);
