//! The websocket obeys the HTTP rules: a capped message size (continuations
//! included), connection_init within a time limit, sockets per client and
//! operations per socket capped (queries: `ws_queries.rs`). The small
//! graphql-transport-ws client here speaks frame by frame, closes included.

use crate::support::app::TestApp;
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws socket, or returns the HTTP refusal's status.
pub async fn open(port: u16) -> Result<Ws, u16> {
    let mut req = format!("ws://127.0.0.1:{port}/graphql")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(WsError::Http(res)) => Err(res.status().as_u16()),
        Err(e) => panic!("websocket connect: {e}"),
    }
}

/// Sends one protocol message.
pub async fn send(ws: &mut Ws, msg: Value) {
    ws.send(Message::text(msg.to_string())).await.unwrap();
}

/// What the server sent next: a JSON message, or how it closed.
#[derive(Debug)]
pub enum Next {
    Json(Value),
    Closed(u16, String),
    Nothing,
}

/// The next message within 10 s; pings are answered by tungstenite and skipped.
pub async fn next(ws: &mut Ws) -> Next {
    loop {
        let msg = match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(msg))) => msg,
            _ => return Next::Nothing,
        };
        match msg {
            Message::Text(t) => return Next::Json(serde_json::from_str(&t).unwrap()),
            Message::Close(Some(f)) => return Next::Closed(f.code.into(), f.reason.to_string()),
            Message::Close(None) => return Next::Closed(1005, String::new()),
            _ => continue,
        }
    }
}

/// A socket past connection_init with `payload`; panics unless acknowledged.
pub async fn ready(port: u16, payload: Value) -> Ws {
    let mut ws = open(port).await.expect("socket");
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    match next(&mut ws).await {
        Next::Json(v) if v["type"] == "connection_ack" => ws,
        other => panic!("no ack: {other:?}"),
    }
}

/// The admin's connection_init payload.
pub fn admin(app: &TestApp) -> Value {
    json!({ "Authorization": format!("Bearer {}", app.admin) })
}

/// Runs one operation with `id`; returns the payload of its first `next` (or `error`).
pub async fn run(ws: &mut Ws, id: &str, query: &str, variables: Value) -> Value {
    let sub = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } });
    send(ws, sub).await;
    loop {
        match next(ws).await {
            Next::Json(v) if v["id"] == id && (v["type"] == "next" || v["type"] == "error") => {
                return v["payload"].clone()
            }
            Next::Json(_) => continue,
            other => panic!("no answer to {id}: {other:?}"),
        }
    }
}

const IDLE: &str = "subscription { scanEvents(clusterId: \"demo\") { state } }";

#[actix_web::test]
async fn an_unfinished_message_past_the_size_cap_closes_the_socket_with_1009() {
    let app = TestApp::builder().spawn().await;
    let (mut sink, mut stream) = open(app.port).await.unwrap().split();
    let closed = tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            if let Message::Close(Some(f)) = msg {
                return Some(u16::from(f.code));
            }
        }
        None
    });
    // a text frame without FIN, then continuations that never finish: 300 MB offered
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    let first = Frame::message(chunk.clone(), OpCode::Data(Data::Text), false);
    let pushing = async {
        sink.send(Message::Frame(first)).await?;
        sent += 64 * 1024;
        while sent < 300 << 20 {
            let more = Frame::message(chunk.clone(), OpCode::Data(Data::Continue), false);
            sink.send(Message::Frame(more)).await?;
            sent += chunk.len();
        }
        Ok::<_, WsError>(())
    };
    // the server stops reading: the writes either fail or stall
    let _ = tokio::time::timeout(Duration::from_secs(10), pushing).await;
    let code = tokio::time::timeout(Duration::from_secs(10), closed)
        .await
        .expect("the server closed the socket")
        .unwrap();
    assert_eq!(code, Some(1009));
    assert!(
        sent < 64 << 20,
        "the server went on reading: {sent} bytes taken"
    );
    // and it serves others
    let mut ws = ready(app.port, admin(&app)).await;
    let r = run(&mut ws, "1", "{ clusters { id } }", json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
}

#[actix_web::test]
async fn a_single_frame_past_the_size_cap_closes_the_socket_with_1009() {
    let app = TestApp::builder().max_body_bytes(4096).spawn().await;
    let mut ws = open(app.port).await.unwrap();
    ws.send(Message::text("x".repeat(8192))).await.unwrap();
    assert!(matches!(next(&mut ws).await, Next::Closed(1009, _)));
}

#[actix_web::test]
async fn a_socket_without_connection_init_is_closed_with_4408() {
    let app = TestApp::builder()
        .websocket_init_timeout(Duration::from_millis(300))
        .spawn()
        .await;
    let mut ws = open(app.port).await.unwrap();
    let start = std::time::Instant::now();
    match next(&mut ws).await {
        Next::Closed(code, why) => {
            assert_eq!(code, 4408, "{why}");
            assert!(why.contains("initialisation timeout"), "{why}");
        }
        other => panic!("still open: {other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[actix_web::test]
async fn a_socket_that_sent_connection_init_outlives_the_init_timeout() {
    let app = TestApp::builder()
        .websocket_init_timeout(Duration::from_millis(300))
        .spawn()
        .await;
    let mut ws = ready(app.port, admin(&app)).await;
    // a socket opened after it, without connection_init, is closed by the same timer:
    // once that has happened, the timer of the first socket has had its chance too
    let mut witness = open(app.port).await.unwrap();
    assert!(matches!(next(&mut witness).await, Next::Closed(4408, _)));
    let r = run(&mut ws, "1", "{ clusters { id } }", json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
}

#[actix_web::test]
async fn the_socket_beyond_an_addresss_cap_is_refused_with_429() {
    let app = TestApp::builder()
        .websocket_connections_per_client(2)
        .spawn()
        .await;
    let first = open(app.port).await.unwrap();
    let _second = open(app.port).await.unwrap();
    assert_eq!(open(app.port).await.err(), Some(429));
    drop(first);
    // the closed socket's place comes back once the server has noticed
    wait_for("the closed socket's place to come back", EVENT, || async {
        open(app.port).await.ok()
    })
    .await;
}

#[actix_web::test]
async fn the_socket_beyond_a_tokens_cap_is_closed_at_connection_init() {
    let app = TestApp::builder()
        .websocket_connections_per_client(2)
        .spawn()
        .await;
    // each socket moves from the address's share to the token's at connection_init
    let _a = ready(app.port, admin(&app)).await;
    let _b = ready(app.port, admin(&app)).await;
    let mut c = open(app.port).await.expect("the address has room again");
    send(
        &mut c,
        json!({ "type": "connection_init", "payload": admin(&app) }),
    )
    .await;
    match next(&mut c).await {
        Next::Closed(_, why) => assert!(why.contains("websocket.connections_per_client"), "{why}"),
        other => panic!("accepted: {other:?}"),
    }
}

#[actix_web::test]
async fn the_operation_beyond_a_sockets_cap_gets_an_error_naming_it() {
    let app = TestApp::builder()
        .websocket_operations_per_connection(2)
        .spawn()
        .await;
    let mut ws = ready(app.port, admin(&app)).await;
    for id in ["1", "2"] {
        let sub = json!({ "id": id, "type": "subscribe", "payload": { "query": IDLE } });
        send(&mut ws, sub).await;
    }
    let r = run(&mut ws, "3", IDLE, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(
        r.to_string()
            .contains("websocket.operations_per_connection"),
        "{r}"
    );
    // a completed subscription gives its place back
    send(&mut ws, json!({ "id": "1", "type": "complete" })).await;
    let ws = tokio::sync::Mutex::new(ws);
    let tries = std::sync::atomic::AtomicUsize::new(0);
    wait_for(
        "the completed subscription's place to come back",
        EVENT,
        || async {
            let i = tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let q = format!("q{i}");
            let answered = run(&mut *ws.lock().await, &q, "{ clusters { id } }", json!({})).await;
            answered.get("errors").is_none().then_some(())
        },
    )
    .await;
}
