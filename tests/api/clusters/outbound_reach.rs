//! Where a registered cluster's server really is: loopback (this machine's own
//! services) is refused unless the operator allows it, a host name is judged by
//! the addresses it resolves to, and a stored cluster is judged again before
//! each scan connects.

use crate::clusters::live::kubeadm_cluster;
use crate::clusters::outbound::{assert_nothing_registered, kubeconfig, REGISTER};
use crate::support::app::TestApp;
use crate::support::database::TestDatabase;
use crate::support::fakekube::FakeApi;
use crate::support::requests::code;
use serde_json::json;
use std::sync::Arc;

/// The service as an operator runs it: loopback servers not allowed.
async fn spawn_strict(database: Option<&Arc<TestDatabase>>) -> TestApp {
    let app = TestApp::builder().refusing_loopback_servers();
    match database {
        Some(d) => app.database(d),
        None => app,
    }
    .spawn()
    .await
}

fn refused_as_loopback(r: &serde_json::Value, server: &str) {
    assert_eq!(code(r), "BAD_USER_INPUT", "{server}: {r}");
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("loopback"), "{server}: {msg}");
}

#[actix_web::test]
async fn a_loopback_server_is_refused_in_every_spelling_by_default() {
    let app = spawn_strict(None).await;
    for server in [
        "https://127.0.0.1:6443",
        "https://127.1.2.3:6443",
        "http://localhost:8001",
        "https://api.localhost:6443",
        "https://[::1]:6443",
        "https://[::ffff:127.0.0.1]:6443",
        "https://2130706433:6443",
        "https://0x7f.1:6443",
    ] {
        let r = app.gql(REGISTER, json!({ "k": kubeconfig(server) })).await;
        refused_as_loopback(&r, server);
    }
    assert_nothing_registered(&app).await;
}

/// A name other than `localhost` that the system resolver maps to loopback
/// (this machine kind's /etc/hosts has `vm` and `runsc`).
fn loopback_alias() -> String {
    let hosts = std::fs::read_to_string("/etc/hosts").expect("/etc/hosts");
    hosts
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let ip: std::net::IpAddr = parts.next()?.parse().ok()?;
            let name = parts.find(|n| !n.contains("localhost"))?;
            ip.is_loopback().then(|| name.to_string())
        })
        .next()
        .expect("this test needs a name other than localhost mapped to loopback in /etc/hosts")
}

#[actix_web::test]
async fn a_host_name_that_resolves_to_loopback_is_refused() {
    let app = spawn_strict(None).await;
    let server = format!("https://{}:6443", loopback_alias());
    let r = app.gql(REGISTER, json!({ "k": kubeconfig(&server) })).await;
    refused_as_loopback(&r, &server);
}

#[actix_web::test]
async fn a_host_name_that_does_not_resolve_is_refused_without_echoing_it() {
    let app = spawn_strict(None).await;
    let r = app
        .gql(
            REGISTER,
            json!({ "k": kubeconfig("https://secret-name.invalid:6443") }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("resolve"), "{msg}");
    assert!(!msg.contains("secret-name"), "{msg}");
}

#[actix_web::test]
async fn a_stored_loopback_server_is_judged_again_before_a_scan_connects() {
    let api = FakeApi::start(kubeadm_cluster());
    // registered while the operator allowed loopback (the test settings do)
    let allowing = TestApp::builder().spawn().await;
    allowing
        .ok(REGISTER, json!({ "k": api.kubeconfig() }))
        .await;
    allowing.server.stop(false).await;
    let strict = spawn_strict(Some(&allowing.database)).await;
    let before = api.requests();
    let scan = strict.scan_to_end("probe").await;
    assert_eq!(scan["state"], "FAILED", "{scan}");
    assert!(
        scan.to_string().contains("loopback"),
        "the failure says why: {scan}"
    );
    assert_eq!(api.requests(), before, "nothing was sent to the server");
}
