//! Who may scrape /metrics, and that clients cannot grow it with made-up methods.

use crate::support::app::{spawn_app, TestApp};
use reqwest::{Method, StatusCode};

const METRICS_TOKEN: &str = "scrape-me-0123456789abcdef";

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}/metrics", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// The service with a metrics token configured.
async fn with_metrics_token() -> TestApp {
    TestApp::builder()
        .metrics_token(METRICS_TOKEN)
        .spawn()
        .await
}

#[actix_web::test]
async fn metrics_without_a_token_answer_401_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let res = scrape(&app, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let body = res.text().await.unwrap();
    assert!(!body.contains("cis_scan_"), "{body}");
}

#[actix_web::test]
async fn metrics_answer_the_configured_metrics_token_and_refuse_a_wrong_one() {
    let app = with_metrics_token().await;
    let res = scrape(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("cis_scan_queue_length"));
    let wrong = scrape(&app, Some("scrape-me-0123456789abcdeX")).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().contains_key("www-authenticate"));
}

#[actix_web::test]
async fn metrics_answer_an_administrator_and_refuse_an_owner_with_403() {
    let app = spawn_app().await;
    let admin = scrape(&app, Some(&app.admin)).await;
    assert_eq!(admin.status(), StatusCode::OK);
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("demo"))
        .await
        .unwrap();
    let res = scrape(&app, Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!res.text().await.unwrap().contains("cis_scan_"));
}

#[actix_web::test]
async fn random_method_strings_do_not_grow_metrics() {
    let app = spawn_app().await;
    let send_random = |n: usize| {
        let app = &app;
        async move {
            for _ in 0..n {
                let word = format!("X{}", uuid::Uuid::new_v4().simple()).to_uppercase();
                let method = Method::from_bytes(word.as_bytes()).unwrap();
                for path in ["/graphql".to_string(), format!("/{word}")] {
                    app.client
                        .request(method.clone(), format!("{}{path}", app.address))
                        .send()
                        .await
                        .unwrap();
                }
            }
        }
    };
    let lines = || async {
        scrape(&app, Some(&app.admin))
            .await
            .text()
            .await
            .unwrap()
            .lines()
            .count()
    };
    // a first round creates the one `other` series per route and status
    send_random(5).await;
    lines().await;
    let before = lines().await;
    send_random(100).await;
    let after = lines().await;
    assert_eq!(before, after, "200 requests with new methods grew /metrics");
    let text = scrape(&app, Some(&app.admin)).await.text().await.unwrap();
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(!text.contains("method=\"X"), "a raw method became a label");
}

#[test]
fn a_weak_metrics_token_stops_start_up_without_echoing_it() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "[metrics]\ntoken = \"hunter2 x\"\n").unwrap();
    let e = cis_scan::service::settings::Settings::load(Some(&file))
        .expect_err("a short token is refused")
        .to_string();
    assert!(e.contains("metrics.token must be at least 16"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
}

/// The value of an unlabelled sample in a /metrics answer.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn the_database_size_is_a_gauge_that_grows_with_reports() {
    let app = crate::support::app::spawn_app().await;
    let before = app.admin_text("/metrics").await;
    let bytes = sample(&before, "cis_scan_database_bytes");
    assert!(bytes > 0.0, "{bytes}");
    assert_eq!(sample(&before, "compliance_scan_database_bytes"), bytes);
    for _ in 0..3 {
        app.scan_to_end("demo").await;
    }
    let after = sample(&app.admin_text("/metrics").await, "cis_scan_database_bytes");
    assert!(after > bytes, "{bytes} → {after}");
}
