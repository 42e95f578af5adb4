//! Fault: `kill -9` of `serve` in the middle of a live-cluster scan. The real
//! binary scans a cluster behind the fake API server whose collector Jobs take
//! seconds; it is killed while they run, and a new process on the same
//! database must interrupt the scan, queue it again once, write no partial
//! report, and delete every collector Job the killed process left.

use crate::clusters::live::kubeadm_cluster;
use crate::support::app::TestApp;
use crate::support::database::TestDatabase;
use crate::support::fakekube::{FakeApi, FakeCluster};
use crate::support::process::{admin_token, Serve};
use crate::support::wait::{wait_for, EVENT};
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::service::store::entity::scan;
use cis_scan::sources::live::{LiveSettings, LiveSource};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// A config file for `serve` on `db`, with one live cluster "live" behind `api`.
fn write_config(dir: &std::path::Path, db: &str, api: &FakeApi) -> std::path::PathBuf {
    let kubeconfig = dir.join("live.kubeconfig");
    std::fs::write(&kubeconfig, api.kubeconfig()).unwrap();
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{db}\"\n\
             [encryption]\nkey = \"CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\"\n\
             [scans]\nlease = \"1s\"\n[schedules]\nrun = false\n\
             [kubernetes]\npoll_interval = \"50ms\"\nnode_timeout = \"2m\"\n\
             [[clusters]]\nid = \"live\"\nname = \"Live\"\nkubeconfig = \"{}\"\n",
            kubeconfig.display()
        ),
    )
    .unwrap();
    config
}

async fn gql(serve: &Serve, token: &str, query: &str, variables: Value) -> Value {
    let r: Value = crate::support::app::client()
        .post(format!("{}/graphql", serve.address))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("graphql request")
        .json()
        .await
        .expect("graphql json");
    assert!(r.get("errors").is_none(), "unexpected errors: {r}");
    r["data"].clone()
}

fn jobs_of(api: &FakeApi, scan: &str) -> Vec<String> {
    let label = scan.replace('-', "");
    api.cluster
        .jobs
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, j)| j["metadata"]["labels"]["cis-scan/scan"] == label.as_str())
        .map(|(n, _)| n.clone())
        .collect()
}

#[actix_web::test]
async fn kill_9_during_a_live_scan_interrupts_requeues_once_and_deletes_its_jobs() {
    let api = FakeApi::start(FakeCluster {
        job_duration: Duration::from_secs(4),
        ..kubeadm_cluster()
    });
    let dir = tempfile::TempDir::new().unwrap();
    let db = TestDatabase::fresh().await;
    let config = write_config(dir.path(), &db.url, &api);
    let token = admin_token(&config);

    let mut first = Serve::start(&config).await;
    let run = gql(
        &first,
        &token,
        "mutation { runScan(clusterId: \"live\") { id } }",
        json!({}),
    )
    .await;
    let killed = run["runScan"]["id"].as_str().unwrap().to_string();
    // the three Linux nodes' Jobs exist and are still running: kill now
    wait_for("collector jobs created", EVENT, || async {
        (jobs_of(&api, &killed).len() == 3).then_some(())
    })
    .await;
    first.kill9();
    assert_eq!(
        jobs_of(&api, &killed).len(),
        3,
        "nothing may clean up after SIGKILL"
    );

    let second = Serve::start(&config).await;
    let state = "query($id: ID!) { scan(id: $id) { state message report { id } } }";
    let interrupted = wait_for("scan INTERRUPTED", EVENT, || async {
        let d = gql(&second, &token, state, json!({ "id": killed })).await;
        (d["scan"]["state"] == "INTERRUPTED").then_some(d)
    })
    .await;
    assert!(interrupted["scan"]["report"].is_null(), "{interrupted}");
    wait_for("the killed scan's jobs deleted", EVENT, || async {
        jobs_of(&api, &killed).is_empty().then_some(())
    })
    .await;

    // exactly one retry, and it runs to its end on the new process
    let store = sea_orm::Database::connect(&db.url).await.unwrap();
    let scans = || async {
        scan::Entity::find()
            .filter(scan::Column::ClusterId.eq("live"))
            .all(&store)
            .await
            .unwrap()
    };
    let retry = wait_for("the retry finished", EVENT, || async {
        let all = scans().await;
        let retry = all.iter().find(|s| s.id.to_string() != killed)?.clone();
        (retry.state == cis_scan::service::domain::ScanState::Succeeded).then_some(retry)
    })
    .await;
    assert_eq!(retry.requested_by, format!("retry of {}", &killed[..8]));
    // the retry's own run spans several reap rounds (every 0.5 s; its Jobs take 4 s),
    // each of which would have queued a second retry: still two scans
    assert_eq!(scans().await.len(), 2, "queued again more than once");

    let reports = gql(
        &second,
        &token,
        "{ reports(clusterId: \"live\") { edges { node { scanId } } } }",
        json!({}),
    )
    .await;
    let scan_ids: Vec<&str> = reports["reports"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["scanId"].as_str().unwrap())
        .collect();
    assert_eq!(
        scan_ids,
        vec![retry.id.to_string().as_str()],
        "no partial report of the killed scan"
    );
    assert!(
        api.cluster.jobs.lock().unwrap().is_empty(),
        "the retry's jobs are deleted too"
    );
}

/// A collector Job as the fake API server keeps it, labelled with `scan`.
fn leftover_job(name: &str, scan: uuid::Uuid) -> Value {
    json!({ "apiVersion": "batch/v1", "kind": "Job",
        "metadata": { "name": name, "namespace": "cis-scan", "labels": {
            "app.kubernetes.io/managed-by": "cis-scan", "cis-scan/scan": scan.simple().to_string() } },
        "spec": { "template": { "spec": { "nodeName": "w-1" } } } })
}

async fn live(api: &FakeApi) -> Vec<ExtraCluster> {
    let settings = LiveSettings {
        namespace: "cis-scan".into(),
        ..Default::default()
    };
    vec![ExtraCluster {
        id: "live".into(),
        name: "Live".into(),
        source: Arc::new(LiveSource::new(api.client().await, settings, "fake")),
    }]
}

#[actix_web::test]
async fn start_up_deletes_jobs_of_stopped_scans_and_keeps_those_of_running_ones() {
    let api = FakeApi::start(kubeadm_cluster());
    // a replica that runs a scan on a live claim
    let other = TestApp::builder().clusters(live(&api).await).spawn().await;
    let store = other.state.store();
    let running = store.insert_scan("live", None, "test", None).await.unwrap();
    let claimed = store
        .claim_scan(
            running.id,
            "other-replica",
            chrono::Utc::now() + chrono::Duration::seconds(120),
        )
        .await
        .unwrap();
    assert!(claimed);
    {
        let mut jobs = api.cluster.jobs.lock().unwrap();
        jobs.insert("kept".into(), leftover_job("kept", running.id));
        // the largest id: scans are swept in id order, so "kept" is decided before "stray" goes
        jobs.insert("stray".into(), leftover_job("stray", uuid::Uuid::max()));
    }

    let _restarted = TestApp::builder()
        .database(&other.database)
        .clusters(live(&api).await)
        .spawn()
        .await;
    wait_for("the stray job deleted", EVENT, || async {
        (!api.cluster.jobs.lock().unwrap().contains_key("stray")).then_some(())
    })
    .await;
    assert!(
        api.cluster.jobs.lock().unwrap().contains_key("kept"),
        "the job of a scan running on a live claim must stay"
    );
}
