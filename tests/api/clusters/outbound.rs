//! Where the service's own requests go: a registered cluster's server is never
//! a metadata or link-local address however it is spelled, and an alert
//! webhook's redirect is not followed.

use crate::support::app::spawn_app;
use crate::support::requests::code;
use cis_scan::service::alerts::Alerts;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const REGISTER: &str =
    "mutation($k: String!) { registerCluster(name: \"Probe\", kubeconfig: $k) { id } }";

/// A kubeconfig with one cluster at `server` and a token.
pub fn kubeconfig(server: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n\
         users:\n- name: u\n  user:\n    token: t\n"
    )
}

#[actix_web::test]
async fn the_metadata_address_is_refused_in_every_spelling_and_nothing_is_stored() {
    let app = spawn_app().await;
    for server in [
        "https://169.254.169.254",
        "https://[::ffff:169.254.169.254]",
        "https://[::ffff:a9fe:a9fe]",
        "https://[64:ff9b::a9fe:a9fe]",
        "https://2852039166",
        "https://0251.0376.0251.0376",
        "https://0xa9fea9fe",
        "https://169.254.43518",
        "https://[fd00:ec2::254]",
        "https://metadata.google.internal",
        "https://0",
    ] {
        let r = app.gql(REGISTER, json!({ "k": kubeconfig(server) })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{server}: {r}");
        let msg = r["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains("server is not accepted through the API"),
            "{server}: {msg}"
        );
    }
    assert_nothing_registered(&app).await;
}

/// No cluster named by `REGISTER` was stored (a refusal keeps nothing).
pub async fn assert_nothing_registered(app: &crate::support::app::TestApp) {
    let stored = app.state.store().cluster_any("probe").await.unwrap();
    assert!(stored.is_none(), "a refused cluster was stored");
}

/// A one-answer HTTP server on loopback: counts the requests it reads and
/// answers each with `answer` (the connection closed after it).
fn http_server(answer: String) -> (u16, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        // bounded: the test sends a handful of requests
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { return };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (port, hits)
}

#[actix_web::test]
async fn a_webhook_answering_307_is_not_followed_and_the_alert_counts_as_failed() {
    let (elsewhere, stolen) =
        http_server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into());
    let (hook, asked) = http_server(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{elsewhere}/steal\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    ));
    let url = format!("http://127.0.0.1:{hook}/hook");
    let alerts = Alerts::new(vec![url.clone()], 1, Duration::from_millis(10));
    let delivered = alerts
        .deliver_to(&url, &json!({ "event": "scan_failed", "cluster": "demo" }))
        .await;
    assert!(!delivered, "a redirect counted as a delivery");
    assert_eq!(
        asked.load(Ordering::SeqCst),
        2,
        "the first try and one retry"
    );
    assert_eq!(
        stolen.load(Ordering::SeqCst),
        0,
        "the alert was re-posted elsewhere"
    );
}
