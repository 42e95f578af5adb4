//! One report document: `check --format json` and GET /reports/{id}/json print
//! the same thing; the report says why its benchmark was chosen.

use crate::clusters::live::kubeadm_cluster;
use crate::support::app::spawn_app;
use crate::support::fakekube::FakeApi;
use crate::support::requests::code;
use serde_json::{json, Value};

fn cis_scan(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(args)
        .output()
        .expect("run cis-scan")
}

async fn json_download(
    app: &crate::support::app::TestApp,
    id: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut req = app.client.get(format!("{}/reports/{id}/json", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn demo_report_id(app: &crate::support::app::TestApp) -> String {
    let end = app.scan_to_end("demo").await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    end["report"]["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn check_json_of_the_demo_snapshot_is_the_document_the_service_serves() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let r = json_download(&app, &id, Some(&app.admin)).await;
    assert_eq!(r.status(), 200);
    let served: Value = r.json().await.unwrap();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/config/demo");
    let o = cis_scan(&["check", "--snapshot", demo, "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    // the stored report's document names it first; otherwise the two are the same document
    let mut rest = served.clone();
    for field in ABOUT {
        assert!(printed.get(field).is_none(), "check prints no {field}");
        rest.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(printed, rest);
    assert_eq!(served["benchmarkReason"], "cis-1.11 for Kubernetes 1.30.4");
}

/// The fields that say which stored report a document is.
const ABOUT: [&str; 6] = [
    "reportId",
    "clusterId",
    "clusterName",
    "scanId",
    "startedAt",
    "finishedAt",
];

#[actix_web::test]
async fn the_json_download_names_its_report_cluster_scan_and_times_first() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let text = json_download(&app, &id, Some(&app.admin))
        .await
        .text()
        .await
        .unwrap();
    let served: Value = serde_json::from_str(&text).unwrap();
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { scanId startedAt finishedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(served["reportId"], id);
    assert_eq!(served["clusterId"], "demo");
    assert_eq!(served["clusterName"], "Demo kubeadm cluster");
    assert_eq!(served["scanId"], d["report"]["scanId"]);
    for t in ["startedAt", "finishedAt"] {
        let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        assert_eq!(at(&served[t]), at(&d["report"][t]), "{t}");
    }
    let first: Vec<&str> = served
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .take(6)
        .collect();
    assert!(
        text.trim_start().starts_with("{\n  \"reportId\""),
        "{first:?}"
    );
}

#[test]
fn check_kubeconfig_json_lists_the_windows_node_under_excluded_with_provider_and_mode() {
    let api = FakeApi::start(kubeadm_cluster());
    let dir = tempfile::TempDir::new().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, api.kubeconfig()).unwrap();
    let o = cis_scan(&[
        "check",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["excluded"][0]["node"], "win-1", "{}", v["excluded"]);
    assert!(v["excluded"][0]["reason"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("windows"));
    assert_eq!(v["provider"], "generic");
    assert_eq!(v["mode"], "jobs");
    assert_eq!(v["benchmarkReason"], "cis-1.11 for Kubernetes 1.30.4");
}

#[actix_web::test]
async fn the_json_download_refuses_a_missing_token() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let r = json_download(&app, &id, None).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
}

#[actix_web::test]
async fn the_json_download_of_another_clusters_report_is_not_found_to_an_owner() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let r = json_download(&app, &id, Some(&owner)).await;
    assert_eq!(r.status(), 404);
}

#[actix_web::test]
async fn a_report_says_its_benchmark_was_chosen_for_the_kubernetes_version() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { benchmarkVersion benchmarkReason jsonUrl } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(d["report"]["benchmarkVersion"], "cis-1.11");
    assert_eq!(
        d["report"]["benchmarkReason"],
        "cis-1.11 for Kubernetes 1.30.4"
    );
    assert!(d["report"]["jsonUrl"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/reports/{id}/json")));
}

#[actix_web::test]
async fn a_report_says_its_benchmark_was_asked_for() {
    let app = spawn_app().await;
    let d = app
        .ok(
            "mutation { runScan(clusterId: \"demo\", benchmark: \"cis-1.8\") { id } }",
            json!({}),
        )
        .await;
    let end = app.wait_scan(d["runScan"]["id"].as_str().unwrap()).await;
    let id = end["report"]["id"].as_str().unwrap();
    let r = app
        .ok(
            "query($id: ID!) { report(id: $id) { benchmarkReason } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["report"]["benchmarkReason"], "asked for cis-1.8");
}

#[actix_web::test]
async fn skip_test_names_the_benchmark_the_next_scan_uses_and_why() {
    let app = spawn_app().await;
    let r = app
        .gql(
            "mutation { skipTest(clusterId: \"demo\", testId: \"9.9.9\", reason: \"x\") { testId } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("cis-1.11 for Kubernetes 1.30.4"), "{msg}");
}
