//! 1,000 clusters with schedules due in the same minute, fired by two replicas
//! sharing one database: every tick is queued and claimed exactly once.
//! Run with `cargo bench --bench replicas` (PostgreSQL when BENCH_DATABASE_URL
//! or TEST_DATABASE_URL is set, else a SQLite file). Prints its figures.

use chrono::{Duration, Utc};
use cis_scan::engine::benchmark::Catalog;
use cis_scan::service::alerts::Alerts;
use cis_scan::service::principal::Principal;
use cis_scan::service::scan::FollowUp;
use cis_scan::service::scan::{Scanner, ScannerConfig};
use cis_scan::service::schedule::{ScheduleInput, ScheduleLimits, Scheduler};
use cis_scan::service::store::Store;
use cis_scan::sources::{ClusterSource, SnapshotSource};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

const CLUSTERS: usize = 1000;

async fn database() -> (String, Option<tempfile::TempDir>) {
    let base = std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .unwrap_or_default();
    if base.is_empty() {
        let dir = tempfile::TempDir::new().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        return (url, Some(dir));
    }
    use sea_orm::ConnectionTrait;
    let name = format!("cis_bench_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(&base).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    (format!("{prefix}/{name}"), None)
}

async fn replica(
    url: &str,
    catalog: Arc<Catalog>,
    source: Arc<dyn ClusterSource>,
) -> Arc<Scheduler> {
    let store = Store::connect(url).await.unwrap();
    let config = ScannerConfig {
        lease: std::time::Duration::from_secs(30),
        follow_up: FollowUp {
            alerts: Alerts::new(Vec::new(), 0, std::time::Duration::ZERO),
            public_url: "http://127.0.0.1".into(),
            manual_retention: 0,
            reports: cis_scan::service::report_cache::ReportCache::new(
                store.clone(),
                64 << 20,
                std::time::Duration::from_secs(1),
                false,
            ),
        },
    };
    let scanner = Scanner::new(store, catalog, config);
    for i in 0..CLUSTERS {
        scanner.register(&format!("c-{i}"), source.clone());
    }
    // every minute, as an operator's bench may; the service's default floor is 5 minutes
    let limits = ScheduleLimits {
        max_per_cluster: 10,
        min_interval: Duration::minutes(1),
    };
    Scheduler::new(scanner, limits)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (url, _dir) = database().await;
        let catalog = Arc::new(Catalog::embedded().unwrap());
        let source: Arc<dyn ClusterSource> = Arc::new(SnapshotSource::open("builtin:demo").unwrap());
        let a = replica(&url, catalog.clone(), source.clone()).await;
        let b = replica(&url, catalog, source).await;
        let store = a.scanner.store.clone();
        let who = Principal::Admin { token_id: uuid::Uuid::new_v4() };
        let now = Utc::now();
        for i in 0..CLUSTERS {
            store.upsert_cluster(&format!("c-{i}"), &format!("cluster {i}"), "bench").await.unwrap();
            let input = ScheduleInput { cron: Some("* * * * *".into()), retention: Some(3), ..Default::default() };
            a.create(&format!("c-{i}"), input, &who, now - Duration::minutes(2)).await.unwrap();
        }
        let t = Instant::now();
        let (qa, qb) = tokio::join!(a.run_due(now), b.run_due(now));
        let fire = t.elapsed();
        let (qa, qb) = (qa.unwrap(), qb.unwrap());
        let all: HashSet<_> = qa.iter().chain(qb.iter()).collect();
        println!("backend: {}", if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" });
        println!("{CLUSTERS} schedules due in the same minute, two replicas: queued {} + {} = {} distinct scans in {:.2} s", qa.len(), qb.len(), all.len(), fire.as_secs_f64());
        assert_eq!(qa.len() + qb.len(), CLUSTERS, "every tick fires exactly once");
        assert_eq!(all.len(), CLUSTERS);
        // the scans run (each replica runs those it claimed) until every report exists
        let deadline = Instant::now() + std::time::Duration::from_secs(600);
        loop {
            let (complete, queued) = store.scan_counts().await.unwrap();
            let done: i64 = complete.iter().map(|(_, n)| n).sum();
            if done as usize >= CLUSTERS && queued == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "scans did not finish");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let ran = t.elapsed();
        let mut reports = 0;
        for s in store.schedules(None).await.unwrap() {
            let scans = store.schedule_scans(s.id).await.unwrap();
            assert_eq!(scans.len(), 1, "one scan per schedule");
            assert_eq!(scans[0].state, cis_scan::service::scan::lifecycle::ScanState::Succeeded);
            reports += store.schedule_reports(s.id).await.unwrap().len();
        }
        assert_eq!(reports, CLUSTERS, "one report per tick");
        println!("all {CLUSTERS} scans claimed once, run and reported in {:.1} s ({reports} reports)", ran.as_secs_f64());
        // firing again at the same instant queues nothing
        let (ra, rb) = tokio::join!(a.run_due(now), b.run_due(now));
        assert_eq!(ra.unwrap().len() + rb.unwrap().len(), 0);
        println!("second firing of the same tick: 0 scans queued");
    });
}
