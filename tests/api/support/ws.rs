//! A graphql-transport-ws client over a real websocket.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// Subscribes with `payload` as connection_init payload and collects every
/// `next` payload until `complete` or `error` (bounded by a timeout).
pub async fn subscribe(
    port: u16,
    init: Value,
    query: &str,
    variables: Value,
) -> (Vec<Value>, Option<Value>) {
    subscribe_until(port, init, query, variables, |_| false).await
}

/// Starts a scan of the `gated` cluster, subscribes to it with `query`
/// (variable `$id`) as the admin, releases `gate` once the subscription has
/// its first (current-state) event, and returns the scan id and every event
/// until the stream completed without an error.
pub async fn follow_gated_scan(
    app: &crate::support::app::TestApp,
    gate: &tokio::sync::Semaphore,
    query: &'static str,
) -> (String, Vec<Value>) {
    let run = app
        .ok(
            "mutation { runScan(clusterId: \"gated\") { id } }",
            json!({}),
        )
        .await;
    let id = run["runScan"]["id"].as_str().unwrap().to_string();
    let init = json!({ "Authorization": format!("Bearer {}", app.admin) });
    let seen = Seen::default();
    let sub = tokio::spawn({
        let (port, id, seen) = (app.port, id.clone(), seen.clone());
        async move { subscribe_until(port, init, query, json!({ "id": id }), move |_| seen.saw()).await }
    });
    // released only once the subscriber is live: it misses no phase
    seen.wait().await;
    gate.add_permits(1);
    let (events, err) = sub.await.unwrap();
    assert!(err.is_none(), "{err:?}");
    (id, events)
}

/// Like [`subscribe`], but also stops after the first event for which `stop` is true.
pub async fn subscribe_until(
    port: u16,
    init: Value,
    query: &str,
    variables: Value,
    stop: impl Fn(&Value) -> bool,
) -> (Vec<Value>, Option<Value>) {
    let mut req = format!("ws://127.0.0.1:{port}/graphql")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket connect");
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": init }).to_string(),
    ))
    .await
    .unwrap();
    let ack = next_json(&mut ws).await.expect("ack");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    let mut events = Vec::new();
    let mut error = None;
    // one deadline for the whole subscription: server pings must not keep it open forever
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let Ok(Some(msg)) = tokio::time::timeout_at(deadline, next_json(&mut ws)).await else {
            break;
        };
        match msg["type"].as_str() {
            Some("next") => {
                if msg["payload"].get("errors").is_some() {
                    error = Some(msg["payload"].clone());
                } else {
                    let data = msg["payload"]["data"].clone();
                    let done = stop(&data);
                    events.push(data);
                    if done {
                        break;
                    }
                }
            }
            Some("error") => {
                error = Some(msg["payload"].clone());
                break;
            }
            Some("complete") => break,
            _ => {}
        }
    }
    let _ = ws.close(None).await;
    (events, error)
}

async fn next_json<S>(ws: &mut S) -> Option<Value>
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(20), ws.next())
            .await
            .ok()??
            .ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// Counts events a subscription has seen, so a test can act once it is live.
#[derive(Clone, Default)]
pub struct Seen(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Seen {
    /// Records an event; never asks the subscription to stop.
    pub fn saw(&self) -> bool {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        false
    }

    /// How many events it has seen.
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits (bounded) for the first event.
    pub async fn wait(&self) {
        let seen = || async { (self.count() > 0).then_some(()) };
        crate::support::wait::wait_for(
            "the subscription's first event",
            crate::support::wait::EVENT,
            seen,
        )
        .await;
    }
}
