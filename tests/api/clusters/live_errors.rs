//! Errors from a live cluster are classified, and what the remote server sent
//! never reaches an API client: not in the GraphQL answer, not in the scan's message.

use crate::support::app::TestApp;
use crate::support::fakekube::{FakeApi, FakeCluster, REMOTE_MARKER};
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::live::{LiveSettings, LiveSource};
use serde_json::{json, Value};
use std::sync::Arc;

/// The service with one live cluster, "live", over `client`.
async fn app_over(client: kube::Client) -> TestApp {
    let source = LiveSource::new(client, LiveSettings::default(), "fake");
    TestApp::builder()
        .cluster(ExtraCluster {
            id: "live".into(),
            name: "Live".into(),
            source: Arc::new(source),
        })
        .spawn()
        .await
}

/// Scans "live" to its end; returns the final scan and both answers seen on the way.
async fn failed_scan(app: &TestApp) -> (Value, String) {
    let run = app
        .gql(
            "mutation { runScan(clusterId: \"live\") { id state message } }",
            json!({}),
        )
        .await;
    let scan = app
        .wait_scan(run["data"]["runScan"]["id"].as_str().unwrap())
        .await;
    assert_eq!(scan["state"], "FAILED", "{scan}");
    (scan.clone(), format!("{run}{scan}"))
}

/// The fake answering every request with `status` and a marked body.
async fn scan_against(status: u16) -> (String, String) {
    let api = FakeApi::start(FakeCluster {
        fail_all: Some(status),
        ..Default::default()
    });
    let app = app_over(api.client().await).await;
    let (scan, seen) = failed_scan(&app).await;
    assert!(
        !seen.contains(REMOTE_MARKER),
        "the remote body leaked: {seen}"
    );
    assert!(
        !seen.contains("secret-user"),
        "the remote body leaked: {seen}"
    );
    (scan["message"].as_str().unwrap().to_string(), seen)
}

#[actix_web::test]
async fn rejected_credentials_are_told_without_the_remote_body() {
    let (message, _) = scan_against(401).await;
    assert!(
        message.contains("rejected the credentials") && message.contains("HTTP 401"),
        "{message}"
    );
}

#[actix_web::test]
async fn a_missing_permission_names_what_was_asked_without_the_remote_body() {
    let (message, _) = scan_against(403).await;
    assert!(
        message.contains("missing permission: cannot read the API server version (HTTP 403)"),
        "{message}"
    );
}

#[actix_web::test]
async fn a_server_error_gives_the_status_code_without_the_remote_body() {
    let (message, _) = scan_against(500).await;
    assert!(
        message.contains("refused to read the API server version (HTTP 500)"),
        "{message}"
    );
}

#[actix_web::test]
async fn a_closed_port_is_unreachable() {
    // bound but not listening for the whole test: refused, and no other process can take it
    let (_held, address) = crate::support::process::refusing_address();
    let cfg = kube::Config::new(format!("http://{address}").parse().unwrap());
    let app = app_over(kube::Client::try_from(cfg).unwrap()).await;
    let (scan, _) = failed_scan(&app).await;
    let message = scan["message"].as_str().unwrap();
    assert!(message.contains("cluster unreachable"), "{message}");
    assert!(!message.contains("timed out"), "{message}");
}

#[actix_web::test]
async fn a_server_that_never_answers_times_out() {
    // accepts connections and never answers; kept open for the whole test
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let mut cfg = kube::Config::new(format!("http://127.0.0.1:{port}").parse().unwrap());
    cfg.read_timeout = Some(std::time::Duration::from_millis(300));
    let app = app_over(kube::Client::try_from(cfg).unwrap()).await;
    let (scan, _) = failed_scan(&app).await;
    let message = scan["message"].as_str().unwrap();
    assert!(message.contains("timed out"), "{message}");
    assert!(!message.contains("unreachable"), "{message}");
    drop(silent);
}

#[actix_web::test]
async fn a_server_without_tls_behind_https_is_a_tls_failure() {
    let api = FakeApi::start(FakeCluster::default());
    let cfg = kube::Config::new(format!("https://127.0.0.1:{}", api.port).parse().unwrap());
    let app = app_over(kube::Client::try_from(cfg).unwrap()).await;
    let (scan, _) = failed_scan(&app).await;
    let message = scan["message"].as_str().unwrap();
    assert!(
        message.contains("TLS with the API server failed"),
        "{message}"
    );
}

#[actix_web::test]
async fn a_check_that_lacks_a_permission_names_it_without_the_remote_body() {
    let mut f = crate::clusters::live::kubeadm_cluster();
    f.forbidden = vec!["/apis/rbac.authorization.k8s.io/v1/clusterroles".into()];
    let api = FakeApi::start(f);
    let settings = LiveSettings {
        poll_interval: std::time::Duration::from_millis(20),
        ..Default::default()
    };
    let source = LiveSource::new(api.client().await, settings, "fake");
    let app = TestApp::builder()
        .cluster(ExtraCluster {
            id: "live".into(),
            name: "Live".into(),
            source: Arc::new(source),
        })
        .spawn()
        .await;
    let scan = app.scan_to_end("live").await;
    let r = app
        .ok(
            "query($id: ID!) { report(id: $id) { results { id nodes { reason } } } }",
            json!({ "id": scan["report"]["id"] }),
        )
        .await;
    let text = r.to_string();
    assert!(
        text.contains("missing permission: cannot list clusterroles (HTTP 403)"),
        "{text}"
    );
    // the fake's 403 body names the service account and the path
    assert!(!text.contains("system:serviceaccount"), "{text}");
}
