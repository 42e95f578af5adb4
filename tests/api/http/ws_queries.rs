//! Queries and mutations over the websocket under the same time, cost and
//! answer limits as over POST /graphql, and a revoked token refusing them.

use crate::http::ws_rules::{admin, ready, run};
use crate::support::app::TestApp;
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use serde_json::{json, Value};
use std::time::Duration;

#[actix_web::test]
async fn a_query_over_the_socket_past_the_answer_cap_is_refused_as_over_http() {
    let app = TestApp::builder().max_response_bytes(4096).spawn().await;
    let id = app.scan_to_end("demo").await["report"]["id"].clone();
    let q = "query($id: ID!) { report(id: $id) { results { id remediation } } }";
    let over_http = app.gql(q, json!({ "id": id })).await;
    let mut ws = ready(app.port, admin(&app)).await;
    let r = run(&mut ws, "1", q, json!({ "id": id })).await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "responseSize", "{r}");
    assert_eq!(r["errors"], over_http["errors"]);
}

#[actix_web::test]
async fn a_query_over_the_socket_past_the_cost_limit_is_refused() {
    let app = TestApp::builder().spawn().await;
    let mut ws = ready(app.port, admin(&app)).await;
    let q = "{ reports(first: 100) { edges { node { results { nodes { actual } } } } } }";
    let r = run(&mut ws, "1", q, json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "complexity", "{r}");
}

#[actix_web::test]
async fn a_query_over_the_socket_past_the_time_limit_is_stopped() {
    let app = TestApp::builder()
        .request_timeout(std::time::Duration::from_nanos(1))
        .spawn()
        .await;
    let mut ws = ready(app.port, admin(&app)).await;
    let r = run(
        &mut ws,
        "1",
        "{ clusters { id latestReport { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "timeout", "{r}");
    assert!(r.to_string().contains("ran longer"), "{r}");
}

#[actix_web::test]
async fn a_revoked_token_refuses_new_operations_on_its_open_socket() {
    let app = TestApp::builder().spawn().await;
    let (id, token) = cis_scan::service::auth::create(app.state.store(), Default::default())
        .await
        .unwrap();
    let ws = ready(
        app.port,
        json!({ "Authorization": format!("Bearer {token}") }),
    )
    .await;
    app.state.store().revoke_token(id).await.unwrap();
    // the token cache trusts the row for a few seconds of the service's clock: move it
    // past that, then the connection's next recheck (every second) notices
    app.state.scanner.clock.advance(
        chrono::Duration::from_std(cis_scan::service::token_cache::TOKEN_CACHE_TTL).unwrap(),
    );
    let ws = tokio::sync::Mutex::new(ws);
    let tries = std::sync::atomic::AtomicUsize::new(0);
    let r = wait_for("the revoked token to be refused", EVENT, || async {
        let i = tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let q = format!("q{i}");
        let r = run(&mut *ws.lock().await, &q, "{ clusters { id } }", json!({})).await;
        r.get("errors").is_some().then_some(r)
    })
    .await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    assert!(r.to_string().contains("revoked"), "{r}");
}

/// Reads what the socket sent within `wait`, if anything.
async fn within(ws: &mut crate::http::ws_rules::Ws, wait: Duration) -> Option<Value> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    match tokio::time::timeout(wait, ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str(&t).ok(),
        _ => None,
    }
}

#[actix_web::test]
async fn a_hundred_subscriptions_opened_at_once_take_turns_and_none_is_internal() {
    use cis_scan::service::scan::lifecycle::{ScanPhase, ScanState};
    use std::collections::BTreeMap;
    let app = TestApp::builder()
        .client_concurrency(2)
        // The database's own wait stays generous: under a loaded machine (a build beside
        // the suite) a single acquire can take 200 ms, which made this test fail 4 runs in 9.
        // That set-ups take turns is shown by `ws_ops::tests`; here, that none is INTERNAL.
        .database_acquire_timeout(std::time::Duration::from_secs(2))
        .spawn()
        .await;
    let mut ws = ready(app.port, admin(&app)).await;
    let q = "subscription { scanEvents(clusterId: \"demo\") { message } }";
    for i in 0..100 {
        let sub = json!({ "id": format!("s{i}"), "type": "subscribe", "payload": { "query": q } });
        crate::http::ws_rules::send(&mut ws, sub).await;
    }
    // each subscription ends up live (it receives a probe) or refused with a reason
    let seen = tokio::sync::Mutex::new((ws, BTreeMap::<String, Value>::new()));
    let outcome = wait_for("an outcome for each subscription", EVENT, || async {
        let probe = cis_scan::service::scan::event(
            uuid::Uuid::nil(),
            "demo",
            ScanPhase::Queued,
            ScanState::Queued,
            "probe",
        );
        app.state.scanner.progress.publish(probe);
        let (ws, outcome) = &mut *seen.lock().await;
        while let Some(m) = within(ws, Duration::from_millis(50)).await {
            if let Some(id) = m["id"].as_str() {
                // `error` messages carry the errors alone, `next` a whole answer
                let p = match &m["payload"] {
                    Value::Array(errors) => json!({ "errors": errors }),
                    other => other.clone(),
                };
                outcome.entry(id.to_string()).or_insert(p);
            }
        }
        (outcome.len() >= 100).then(|| outcome.clone())
    })
    .await;
    assert_eq!(
        outcome.len(),
        100,
        "every subscription answered: {outcome:?}"
    );
    let internal: Vec<_> = outcome.values().filter(|p| code(p) == "INTERNAL").collect();
    assert!(internal.is_empty(), "{internal:?}");
    for p in outcome.values().filter(|p| p.get("errors").is_some()) {
        assert_eq!(code(p), "BAD_USER_INPUT", "{p}");
        assert!(p.to_string().contains("in flight"), "{p}");
    }
    assert!(outcome
        .values()
        .any(|p| p["data"]["scanEvents"]["message"] == "probe"));
}
