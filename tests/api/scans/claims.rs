//! The claim rule: a QUEUED scan is taken only when no scan of its cluster is
//! RUNNING under a live lease (and no older one waits); with two replicas on
//! one database, never two scans of one cluster RUNNING at once. These run on
//! SQLite, and on PostgreSQL with TEST_DATABASE_URL.

use crate::support::app::TestApp;
use crate::support::database::TestDatabase;
use crate::support::gated::GatedSource;
use cis_scan::service::domain::ScanState;
use cis_scan::service::store::Store;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::sync::Arc;

fn lease() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::seconds(60)
}

/// Two replicas (two stores, two pools) on one fresh database, and the database.
async fn two_replicas() -> (Store, Store, Arc<TestDatabase>) {
    let database = TestDatabase::fresh().await;
    let a = Store::connect(&database.url).await.unwrap();
    let b = Store::connect(&database.url).await.unwrap();
    (a, b, database)
}

async fn running_of(store: &Store, cluster: &str) -> usize {
    store
        .latest_scans(cluster, 100)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.state == ScanState::Running)
        .count()
}

#[tokio::test]
async fn two_replicas_claiming_scans_of_one_cluster_at_once_take_exactly_one() {
    let (a, b, database) = two_replicas().await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(a.insert_scan("c", None, "test", None).await.unwrap().id);
    }
    // queued at the same instant: no scan is older, so only the database's rule decides
    let raw = sea_orm::Database::connect(&database.url).await.unwrap();
    raw.execute_unprepared("UPDATE scans SET created_at = (SELECT MIN(created_at) FROM scans)")
        .await
        .unwrap();
    let claims = ids.iter().flat_map(|id| {
        [
            a.claim_scan(*id, "replica-a", lease()),
            b.claim_scan(*id, "replica-b", lease()),
        ]
    });
    let taken = futures_util::future::join_all(claims).await;
    let taken = taken.into_iter().map(Result::unwrap).filter(|t| *t).count();
    assert_eq!(taken, 1, "exactly one claim succeeds");
    assert_eq!(running_of(&a, "c").await, 1);
}

#[tokio::test]
async fn the_database_refuses_a_second_running_scan_of_a_cluster() {
    let (a, _b, database) = two_replicas().await;
    let first = a.insert_scan("c", None, "test", None).await.unwrap();
    let second = a.insert_scan("c", None, "test", None).await.unwrap();
    assert!(a.claim_scan(first.id, "replica-a", lease()).await.unwrap());
    // past every check of the claim statement: the partial unique index still says no
    let raw = sea_orm::Database::connect(&database.url).await.unwrap();
    let forced = raw
        .execute_unprepared("UPDATE scans SET state = 'RUNNING' WHERE state = 'QUEUED'")
        .await;
    assert!(
        forced.is_err(),
        "a second RUNNING scan of the cluster was stored"
    );
    assert_eq!(
        a.scan(second.id).await.unwrap().unwrap().state,
        ScanState::Queued
    );
}

#[tokio::test]
async fn a_scan_waits_while_its_cluster_runs_one_and_is_taken_after() {
    let (a, b, _database) = two_replicas().await;
    let first = a.insert_scan("c", None, "test", None).await.unwrap();
    let second = a.insert_scan("c", None, "test", None).await.unwrap();
    assert!(
        !b.claim_scan(second.id, "replica-b", lease()).await.unwrap(),
        "an older scan waits"
    );
    assert!(a.claim_scan(first.id, "replica-a", lease()).await.unwrap());
    assert!(
        !b.claim_scan(second.id, "replica-b", lease()).await.unwrap(),
        "the cluster runs one"
    );
    a.finish_scan(first.id, ScanState::Failed, Some("done"))
        .await
        .unwrap();
    assert!(b.claim_scan(second.id, "replica-b", lease()).await.unwrap());
}

#[tokio::test]
async fn a_scan_of_another_cluster_is_taken_while_one_runs() {
    let (a, b, _database) = two_replicas().await;
    let one = a.insert_scan("c", None, "test", None).await.unwrap();
    let other = a.insert_scan("d", None, "test", None).await.unwrap();
    assert!(a.claim_scan(one.id, "replica-a", lease()).await.unwrap());
    assert!(b.claim_scan(other.id, "replica-b", lease()).await.unwrap());
}

#[actix_web::test]
async fn scans_requested_through_two_replicas_never_run_two_at_once_and_all_finish() {
    let (gated_a, gate_a) = GatedSource::cluster();
    let (gated_b, gate_b) = GatedSource::cluster();
    let a = TestApp::builder().cluster(gated_a).spawn().await;
    let b = TestApp::builder()
        .database(&a.database)
        .cluster(gated_b)
        .spawn()
        .await;
    let run = "mutation { runScan(clusterId: \"gated\") { id } }";
    let mut ids = Vec::new();
    for i in 0..6 {
        let replica = if i % 2 == 0 { &a } else { &b };
        let id = replica.ok(run, json!({})).await["runScan"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
        // every scan may pass the gate of whichever replica claims it
        gate_a.add_permits(1);
        gate_b.add_permits(1);
        assert!(
            running_of(a.state.store(), "gated").await <= 1,
            "two RUNNING at once"
        );
    }
    for id in &ids {
        assert_eq!(a.wait_scan(id).await["state"], "SUCCEEDED", "{id}");
        assert!(running_of(a.state.store(), "gated").await <= 1);
    }
}
