//! Token lifecycle through the running service: why a token is refused (over
//! POST /graphql, the websocket and the CSV download), revocation, expiry and
//! deletion reaching every replica within seconds, and last use recorded sparingly.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use crate::support::ws::subscribe;
use cis_scan::service::auth::{create, TokenRequest};
use cis_scan::service::token_cache::TOKEN_CACHE_TTL;
use serde_json::{json, Value};
use uuid::Uuid;

const QUERY: &str = "{ clusters { id } }";
const SUB: &str = "subscription { scanEvents(clusterId: \"demo\") { state } }";

/// An administrator token with its id.
async fn admin_token(app: &TestApp, lifetime: Option<chrono::Duration>) -> (Uuid, String) {
    let req = TokenRequest {
        lifetime,
        ..Default::default()
    };
    create(app.state.store(), req).await.unwrap()
}

fn message(v: &Value) -> String {
    v["errors"][0]["message"].as_str().unwrap_or("").to_string()
}

/// The refusal of `token` once the service's clock has moved past the time a cached
/// token row is trusted (4 s, inside the 5 s promised), without waiting for it.
async fn refused(app: &TestApp, token: &str) -> Value {
    app.state
        .scanner
        .clock
        .advance(chrono::Duration::from_std(TOKEN_CACHE_TTL).unwrap());
    let r = app.gql_as(Some(token), QUERY, json!({})).await;
    assert!(
        r.get("errors").is_some(),
        "still accepted {TOKEN_CACHE_TTL:?} later: {r}"
    );
    r
}

/// A CSV download's status and error message.
async fn csv_refusal(app: &TestApp, token: Option<&str>) -> (u16, String, String) {
    let mut req = app
        .client
        .get(format!("{}/reports/{}/csv", app.address, Uuid::new_v4()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body: Value = res.json().await.unwrap();
    let msg = body["error"]["message"].as_str().unwrap_or("").to_string();
    (status, msg, challenge)
}

/// The error a subscription gets with this connection_init payload.
async fn ws_refusal(app: &TestApp, init: Value) -> String {
    let (events, err) = subscribe(app.port, init, SUB, json!({})).await;
    assert!(events.is_empty());
    err.expect("an error").to_string()
}

#[actix_web::test]
async fn unknown_and_missing_tokens_are_told_apart_everywhere() {
    let app = spawn_app().await;
    let missing = app.gql_as(None, QUERY, json!({})).await;
    let unknown = app.gql_as(Some("cis_bogus"), QUERY, json!({})).await;
    assert_eq!(code(&missing), "UNAUTHENTICATED");
    assert_eq!(code(&unknown), "UNAUTHENTICATED");
    assert_eq!(
        message(&missing),
        "no token: send Authorization: Bearer <token>"
    );
    assert_eq!(message(&unknown), "the token is not known");

    let (status, msg, challenge) = csv_refusal(&app, None).await;
    assert_eq!((status, msg.as_str()), (401, message(&missing).as_str()));
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let (status, msg, _) = csv_refusal(&app, Some("cis_bogus")).await;
    assert_eq!((status, msg.as_str()), (401, "the token is not known"));

    let err = ws_refusal(&app, json!({})).await;
    assert!(
        err.contains("UNAUTHENTICATED") && err.contains("no token"),
        "{err}"
    );
    let err = ws_refusal(&app, json!({ "Authorization": "Bearer cis_bogus" })).await;
    assert!(err.contains("the token is not known"), "{err}");
}

#[actix_web::test]
async fn a_revoked_token_is_refused_within_seconds_saying_so() {
    let app = spawn_app().await;
    let (id, token) = admin_token(&app, None).await;
    // used once, so the service has it cached
    let ok = app.gql_as(Some(&token), QUERY, json!({})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
    app.state.store().revoke_token(id).await.unwrap();
    let r = refused(&app, &token).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    assert_eq!(message(&r), "the token was revoked");
    let (status, msg, _) = csv_refusal(&app, Some(&token)).await;
    assert_eq!((status, msg.as_str()), (401, "the token was revoked"));
    let init = json!({ "Authorization": format!("Bearer {token}") });
    assert!(ws_refusal(&app, init)
        .await
        .contains("the token was revoked"));
}

#[actix_web::test]
async fn a_token_past_its_expiry_is_refused_naming_the_time() {
    let app = spawn_app().await;
    let (id, token) = admin_token(&app, Some(chrono::Duration::hours(1))).await;
    // accepted (and cached) while valid
    let ok = app.gql_as(Some(&token), QUERY, json!({})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
    app.state.scanner.clock.advance(chrono::Duration::hours(1));
    let r = refused(&app, &token).await;
    let row = app.state.store().token(id).await.unwrap().unwrap();
    let at = row
        .expires_at
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(code(&r), "UNAUTHENTICATED");
    assert_eq!(message(&r), format!("the token expired at {at}"));
}

#[actix_web::test]
async fn a_token_whose_expiry_was_set_in_the_past_is_refused() {
    let app = spawn_app().await;
    let (id, token) = admin_token(&app, None).await;
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    app.state
        .store()
        .set_token_expiry(id, Some(past))
        .await
        .unwrap();
    let r = app.gql_as(Some(&token), QUERY, json!({})).await;
    assert!(message(&r).starts_with("the token expired at "), "{r}");
}

#[actix_web::test]
async fn a_deleted_token_stops_working_within_seconds() {
    let app = spawn_app().await;
    let (id, token) = admin_token(&app, None).await;
    let ok = app.gql_as(Some(&token), QUERY, json!({})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
    assert!(app.state.store().delete_token(id).await.unwrap());
    let r = refused(&app, &token).await;
    assert_eq!(message(&r), "the token is not known");
}

#[actix_web::test]
async fn a_token_revoked_through_one_replica_is_refused_by_another() {
    let first = TestApp::builder().spawn().await;
    let second = TestApp::builder().database(&first.database).spawn().await;
    let (id, token) = admin_token(&first, None).await;
    for app in [&first, &second] {
        let ok = app.gql_as(Some(&token), QUERY, json!({})).await;
        assert!(ok.get("errors").is_none(), "{ok}");
    }
    first.state.store().revoke_token(id).await.unwrap();
    // the second replica's own clock: its cached row is what must expire
    let r = refused(&second, &token).await;
    assert_eq!(message(&r), "the token was revoked");
}

#[actix_web::test]
async fn last_use_is_recorded_without_a_write_per_request() {
    let app = spawn_app().await;
    let (id, token) = admin_token(&app, None).await;
    let last_used = || async {
        app.state
            .store()
            .token(id)
            .await
            .unwrap()
            .unwrap()
            .last_used_at
    };
    assert_eq!(last_used().await, None);
    app.gql_as(Some(&token), QUERY, json!({})).await;
    let first = wait_for("last_used_at recorded after a request", EVENT, || async {
        last_used().await
    })
    .await;
    // within the minute: no write (the rule itself is unit-tested in token_cache.rs)
    for _ in 0..5 {
        app.gql_as(Some(&token), QUERY, json!({})).await;
    }
    // a minute later by the service's clock, the next use is written, at that time
    let clock = &app.state.scanner.clock;
    clock.advance(chrono::Duration::seconds(61));
    let later = clock.now();
    app.gql_as(Some(&token), QUERY, json!({})).await;
    let second = wait_for("the use a minute later recorded", EVENT, || async {
        last_used().await.filter(|at| *at != first)
    })
    .await;
    assert!(
        second >= later - chrono::Duration::seconds(1),
        "the second write ({second}) is not the use a minute after the first ({first})"
    );
}

#[actix_web::test]
async fn an_open_subscription_ends_when_its_token_is_revoked() {
    let app = spawn_app().await;
    let (id, token) = admin_token(&app, None).await;
    let port = app.port;
    let init = json!({ "Authorization": format!("Bearer {token}") });
    let seen = crate::support::ws::Seen::default();
    let revoke = async {
        app.probe_until_seen("demo", &seen).await;
        app.state.store().revoke_token(id).await.unwrap();
    };
    // the helper gives up after 30 s: without rechecks the subscription would just stay open
    let counting = seen.clone();
    let subscription =
        crate::support::ws::subscribe_until(port, init, SUB, json!({}), move |_| counting.saw());
    let ((events, err), ()) = tokio::join!(subscription, revoke);
    assert!(
        events.iter().all(|e| e["scanEvents"]["state"] == "QUEUED"),
        "only probes arrived: {events:?}"
    );
    let err = err
        .expect("the subscription ended with an error")
        .to_string();
    assert!(err.contains("UNAUTHENTICATED"), "{err}");
    assert!(err.contains("the token was revoked"), "{err}");
}
