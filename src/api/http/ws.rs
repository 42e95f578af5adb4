//! GET /graphql: GraphQL over a websocket (graphql-transport-ws, and the older
//! graphql-ws), under the rules of POST /graphql.
//!
//! Frames are read by actix-ws with limits we set: a message, continuations
//! included, is refused (close 1009) as soon as it passes `server.max_body_bytes`,
//! before more of it is buffered. `connection_init` must come within
//! `websocket.init_timeout` (else close 4408), a client has at most
//! `websocket.connections_per_client` sockets open, and the token `connection_init`
//! named is checked once a second per connection, not per subscription.
//! The protocol itself is async-graphql's; what runs is [`ConnectionExecutor`]'s.

use super::client_limits::{Busy, ClientShares};
use super::errors::TooMany;
use super::graphql::client_key;
use super::ws_ops::{Connection, ConnectionExecutor};
use super::{authorization, json_error, principal_from};
use crate::api::graphql::AppSchema;
use crate::service::auth::AuthOutcome;
use crate::service::Service;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::Data;
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{interval_at, timeout, Instant};

/// How often the connection's token is checked; most checks hit the in-memory
/// token cache, not the database.
const RECHECK: Duration = Duration::from_secs(1);

/// How often the server pings, and how long a client may stay silent (no frame,
/// no pong) or leave our messages unread before it is dropped.
const HEARTBEAT: Duration = Duration::from_secs(5);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Open websockets per client (a second share, apart from requests in flight).
pub struct SocketShares(pub ClientShares);

/// GET /graphql: a websocket for subscriptions, queries and mutations; the token
/// comes in connection_init's payload (or the upgrade request's Authorization).
pub async fn websocket(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<Service>,
    schema: web::Data<AppSchema>,
    shares: web::Data<ClientShares>,
    sockets: web::Data<SocketShares>,
) -> actix_web::Result<HttpResponse> {
    if req.headers().get("upgrade").is_none() {
        return Ok(json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "use POST for queries, or a websocket for subscriptions",
        ));
    }
    let Some(protocol) = protocol(&req) else {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "ask for the graphql-transport-ws subprotocol (Sec-WebSocket-Protocol)",
        ));
    };
    // until connection_init names a valid token, the socket counts against its address
    let slot = match sockets.0.try_enter(client_key(req.peer_addr(), None)) {
        Ok(slot) => slot,
        Err(busy) => return Ok(too_many(busy)),
    };
    let (response, session, frames) =
        actix_ws::handle_with_protocols(&req, payload, &ALL_WEBSOCKET_PROTOCOLS)?;
    let cap = state.settings.server.max_body_bytes;
    let frames = frames
        .max_frame_size(cap)
        .aggregate_continuations()
        .max_continuation_size(cap);
    let conn = Arc::new(Connection::new(
        AppSchema::clone(&schema),
        state.into_inner(),
        shares.into_inner(),
        req.peer_addr(),
    ));
    *conn.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(slot);
    let header = authorization(&req).map(str::to_string);
    actix_web::rt::spawn(serve(
        conn,
        sockets.into_inner(),
        header,
        protocol,
        session,
        frames,
    ));
    Ok(response)
}

/// The first subprotocol the client offers that async-graphql speaks.
fn protocol(req: &HttpRequest) -> Option<WebSocketProtocols> {
    req.headers()
        .get_all("sec-websocket-protocol")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().parse().ok())
}

/// 429: the client has all its websockets open already.
fn too_many(busy: Busy) -> HttpResponse {
    TooMany(format!(
        "this client already has {} websockets open (websocket.connections_per_client); close one first",
        busy.limit
    ))
    .error_response()
}

/// connection_init: who the caller is. A valid token moves the socket from the
/// address's share to the token's; a refused one still connects, and its
/// operations answer UNAUTHENTICATED saying why.
async fn init(
    conn: Arc<Connection>,
    sockets: Arc<SocketShares>,
    header: Option<String>,
    value: serde_json::Value,
) -> async_graphql::Result<Data> {
    let presented = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| value.get(*k).and_then(|v| v.as_str()))
        .map(str::to_string)
        .or_else(|| {
            value
                .get("token")
                .and_then(|v| v.as_str())
                .map(|t| format!("Bearer {t}"))
        })
        .or(header);
    let mut data = Data::default();
    match principal_from(&conn.app, presented.as_deref()).await {
        Ok(AuthOutcome::Accepted(p)) => {
            let slot = sockets.0.try_enter(client_key(None, Some(&p))).map_err(|busy| {
                format!(
                    "this token already has {} websockets open (websocket.connections_per_client); close one first",
                    busy.limit
                )
            })?;
            *conn.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(slot);
            *conn.token.lock().unwrap_or_else(|e| e.into_inner()) = presented
                .as_deref()
                .and_then(crate::service::auth::bearer)
                .map(str::to_string);
            *conn.principal.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.clone());
            data.insert(p);
        }
        Ok(AuthOutcome::Refused(why)) => data.insert(why),
        Err(e) => {
            tracing::error!("token lookup failed: {}", e.chain());
            return Err("internal error; the service logged the details".into());
        }
    }
    Ok(data)
}

/// Ends the connection's operations with UNAUTHENTICATED once its token is no
/// longer valid; one check per connection, whatever it runs.
async fn recheck(conn: &Connection) {
    if conn.revoked.borrow().is_some() {
        return;
    }
    let token = conn.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let Some(token) = token else { return };
    match conn.app.authenticate(&token).await {
        Ok(AuthOutcome::Refused(why)) => {
            conn.revoked.send_replace(Some(why));
        }
        Ok(AuthOutcome::Accepted(_)) => {}
        // a database hiccup does not end subscriptions; the next tick retries
        Err(e) => tracing::warn!("token recheck failed: {}", e.chain()),
    }
}

fn reason(code: impl Into<CloseCode>, why: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: code.into(),
        description: Some(why.to_string()),
    })
}

/// Why a frame was refused, as a close reason.
fn refused_frame(e: &ProtocolError, cap: usize) -> Option<CloseReason> {
    let too_big = matches!(e, ProtocolError::Overflow)
        || matches!(e, ProtocolError::Io(io) if io.to_string().contains("continuation size"));
    if too_big {
        reason(
            CloseCode::Size,
            &format!("a message may have at most {cap} bytes (server.max_body_bytes)"),
        )
    } else {
        reason(CloseCode::Protocol, &e.to_string())
    }
}

/// Runs one connection until either side ends it.
async fn serve(
    conn: Arc<Connection>,
    sockets: Arc<SocketShares>,
    header: Option<String>,
    protocol: WebSocketProtocols,
    mut session: actix_ws::Session,
    mut frames: AggregatedMessageStream,
) {
    let settings = conn.app.settings.clone();
    let initialised = Arc::new(AtomicBool::new(false));
    // a few messages wait for the protocol; more wait in the socket (backpressure)
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let ws = WebSocket::new(
        ConnectionExecutor(conn.clone()),
        tokio_stream::wrappers::ReceiverStream::new(rx),
        protocol,
    )
    .on_connection_init({
        let (conn, initialised) = (conn.clone(), initialised.clone());
        move |value| {
            initialised.store(true, Ordering::SeqCst);
            init(conn, sockets, header, value)
        }
    });
    let mut ws = std::pin::pin!(ws);
    let init_deadline = tokio::time::sleep(settings.websocket.init_timeout);
    let mut init_deadline = std::pin::pin!(init_deadline);
    let mut heartbeat = interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    let mut rechecks = interval_at(Instant::now() + RECHECK, RECHECK);
    rechecks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    let mut pending: Option<Bytes> = None;
    let cap = settings.server.max_body_bytes;
    let close = loop {
        tokio::select! {
            () = &mut init_deadline, if !initialised.load(Ordering::SeqCst) => {
                break reason(CloseCode::Other(4408), "Connection initialisation timeout");
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > CLIENT_TIMEOUT
                    || !matches!(timeout(CLIENT_TIMEOUT, session.ping(b"")).await, Ok(Ok(())))
                {
                    break None;
                }
            }
            _ = rechecks.tick() => recheck(&conn).await,
            out = ws.next() => match out {
                Some(WsMessage::Text(text)) => {
                    // a client that reads nothing must not hold the connection forever
                    if !matches!(timeout(CLIENT_TIMEOUT, session.text(text)).await, Ok(Ok(()))) {
                        break None;
                    }
                }
                Some(WsMessage::Close(code, why)) => break reason(code, &why),
                None => break reason(CloseCode::Normal, ""),
            },
            permit = tx.reserve(), if pending.is_some() => match (permit, pending.take()) {
                (Ok(permit), Some(message)) => permit.send(message),
                _ => break None,
            },
            frame = frames.recv(), if pending.is_none() => {
                last_heard = Instant::now();
                match frame {
                    Some(Ok(AggregatedMessage::Text(text))) => pending = Some(text.into_bytes()),
                    Some(Ok(AggregatedMessage::Binary(bytes))) => pending = Some(bytes),
                    Some(Ok(AggregatedMessage::Ping(p))) => {
                        if session.pong(&p).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => {}
                    Some(Ok(AggregatedMessage::Close(_))) | None => break reason(CloseCode::Normal, ""),
                    Some(Err(e)) => break refused_frame(&e, cap),
                }
            }
        }
    };
    let _ = session.close(close).await;
}
