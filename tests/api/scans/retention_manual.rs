//! `retention.manual`: an operator may keep only the newest manual reports of
//! each cluster; by default every manual report is kept.

use crate::support::app::{other_cluster, TestApp};
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use serde_json::json;

/// The demo and "other" clusters, keeping `manual` manual reports each (0: all).
async fn spawn_keeping(manual: u64) -> TestApp {
    TestApp::builder()
        .manual_retention(manual)
        .cluster(other_cluster())
        .spawn()
        .await
}

async fn manual_reports(app: &TestApp, cluster: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let scan = app.scan_to_end(cluster).await;
        assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
        ids.push(scan["report"]["id"].as_str().unwrap().to_string());
    }
    ids
}

async fn listed(app: &TestApp, cluster: &str) -> Vec<String> {
    let d = app
        .ok(
            "query($c: ID!) { reports(clusterId: $c, first: 50) { nodes { id } } }",
            json!({ "c": cluster }),
        )
        .await;
    d["reports"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn manual_retention_keeps_the_newest_manual_reports_of_each_cluster() {
    let app = spawn_keeping(2).await;
    let other = manual_reports(&app, "other", 1).await;
    let demo = manual_reports(&app, "demo", 3).await;
    // the scan is SUCCEEDED once its report is saved; retention runs right after
    let kept = [demo[2].clone(), demo[1].clone()];
    wait_for(
        "retention to delete the oldest manual report",
        EVENT,
        || async { (listed(&app, "demo").await == kept).then_some(()) },
    )
    .await;
    assert_eq!(
        listed(&app, "other").await,
        other,
        "another cluster's are its own"
    );
    let gone = app
        .gql(
            "query($id: ID!) { report(id: $id) { id } }",
            json!({ "id": demo[0] }),
        )
        .await;
    assert_eq!(code(&gone), "NOT_FOUND", "{gone}");
}

#[actix_web::test]
async fn by_default_every_manual_report_is_kept() {
    let app = spawn_keeping(0).await;
    let demo = manual_reports(&app, "demo", 3).await;
    let mut newest_first = demo.clone();
    newest_first.reverse();
    assert_eq!(listed(&app, "demo").await, newest_first);
}
