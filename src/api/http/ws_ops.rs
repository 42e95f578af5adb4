//! What one websocket connection runs, under the same rules as HTTP.
//!
//! Every operation first passes the nesting check (before anything parses it).
//! Queries and mutations then take a place in their client's share and answer
//! within the time limit and the answer cap, like POST /graphql. Subscriptions
//! count against the connection's operation cap, and all of them end with
//! UNAUTHENTICATED once the connection's token stops being valid: the token is
//! checked once per connection on a timer (`ws.rs`), not once per subscription.

use super::client_limits::{hold, ClientKey, ClientShares, REFUSAL_PENALTY};
use super::graphql::{busy_message, client_key, size_message, timeout_message};
use crate::api::graphql::context::{SetupAdmission, SetupShare};
use crate::api::graphql::limits::{check_nesting, refuse, refused_by_limit, Limit};
use crate::api::graphql::AppSchema;
use crate::service::auth::Refusal;
use crate::service::principal::Principal;
use crate::service::Service;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{self, BoxStream, StreamExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// One websocket connection: what its operations share.
pub struct Connection {
    pub schema: AppSchema,
    pub app: Arc<Service>,
    pub shares: Arc<ClientShares>,
    /// The peer address, the client until `connection_init` names a valid token.
    pub peer: Option<std::net::SocketAddr>,
    /// The caller `connection_init` named, if its token was valid.
    pub principal: Mutex<Option<Principal>>,
    /// The bearer token of that caller, for the connection's rechecks.
    pub token: Mutex<Option<String>>,
    /// Why the token stopped being valid, once it has.
    pub revoked: watch::Sender<Option<Refusal>>,
    /// The connection's place in its client's socket share: the address's,
    /// then the token's once `connection_init` names a valid one.
    pub slot: Mutex<Option<tokio::sync::OwnedSemaphorePermit>>,
    /// Operations running now (subscriptions, and queries not yet answered).
    running: Arc<AtomicUsize>,
}

impl Connection {
    /// A connection from `peer`, before `connection_init`.
    pub fn new(
        schema: AppSchema,
        app: Arc<Service>,
        shares: Arc<ClientShares>,
        peer: Option<std::net::SocketAddr>,
    ) -> Self {
        Connection {
            schema,
            app,
            shares,
            peer,
            principal: Mutex::new(None),
            token: Mutex::new(None),
            revoked: watch::channel(None).0,
            slot: Mutex::new(None),
            running: Arc::default(),
        }
    }

    /// Who the connection's queries count against, as over HTTP.
    pub fn client(&self) -> ClientKey {
        let principal = self.principal.lock().unwrap_or_else(|e| e.into_inner());
        client_key(self.peer, principal.as_ref())
    }
}

/// The schema as one connection may use it.
#[derive(Clone)]
pub struct ConnectionExecutor(pub Arc<Connection>);

/// An answer with one error with `code`, and no data.
fn error(code: &str, message: String) -> Response {
    let mut e = ServerError::new(message, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    Response::from_errors(vec![e])
}

fn limited(limit: Limit, message: String) -> Response {
    Response::from_errors(vec![refuse(limit, message)])
}

fn once(r: Response) -> BoxStream<'static, Response> {
    stream::once(async move { r }).boxed()
}

/// The kind of the operation `name` picks (or the only one), if there is one.
fn kind(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    doc.operations
        .iter()
        .find(|(n, _)| name.is_none() || n.map(|n| n.as_str()) == name)
        .map(|(_, op)| op.node.ty)
}

/// Gives the operation's place back when its stream is dropped, however it ends.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for ConnectionExecutor {
    async fn execute(&self, request: Request) -> Response {
        // the websocket protocol only streams; kept for the trait
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_default()
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let conn = &self.0;
        if let Some(why) = *conn.revoked.borrow() {
            return once(error("UNAUTHENTICATED", why.to_string()));
        }
        if let Err(e) = check_nesting(&request.query) {
            return once(Response::from_errors(vec![e]));
        }
        let max = conn.app.settings.websocket.operations_per_connection;
        if conn.running.fetch_add(1, Ordering::SeqCst) >= max {
            conn.running.fetch_sub(1, Ordering::SeqCst);
            return once(error(
                "BAD_USER_INPUT",
                format!(
                "this connection already runs {max} operations (websocket.operations_per_connection): \
                 complete one, or open another connection"
            ),
            ));
        }
        let place = Running(conn.running.clone());
        // a document that does not parse is answered by the schema, which says where
        let name = request.operation_name.clone();
        let subscription = request
            .parsed_query()
            .ok()
            .and_then(|doc| kind(doc, name.as_deref()))
            == Some(OperationType::Subscription);
        if subscription {
            self.subscription(request, session_data, place)
        } else {
            self.answer(request, session_data, place)
        }
    }
}

impl ConnectionExecutor {
    /// A subscription that ends with UNAUTHENTICATED when the connection's token does.
    fn subscription(
        &self,
        request: Request,
        data: Option<Arc<Data>>,
        place: Running,
    ) -> BoxStream<'static, Response> {
        let revoked = self.0.revoked.subscribe();
        if let Some(why) = *revoked.borrow() {
            return once(error("UNAUTHENTICATED", why.to_string()));
        }
        let share = ShareAdmission {
            shares: self.0.shares.clone(),
            client: self.0.client(),
        };
        let request = request.data(SetupShare(Arc::new(share)));
        let inner = Executor::execute_stream(&self.0.schema, request, data);
        stream::unfold(Some((inner, revoked, place)), |st| async move {
            let (mut inner, mut revoked, place) = st?;
            tokio::select! {
                item = inner.next() => item.map(|r| (r, Some((inner, revoked, place)))),
                // the sender lives as long as the connection; Err only when it is gone
                Ok(()) = revoked.changed() => {
                    let why = (*revoked.borrow())?;
                    Some((error("UNAUTHENTICATED", why.to_string()), None))
                }
            }
        })
        .boxed()
    }

    /// A query or mutation: one answer, within the client's share, the time
    /// limit and the answer cap, as over HTTP.
    fn answer(
        &self,
        request: Request,
        data: Option<Arc<Data>>,
        place: Running,
    ) -> BoxStream<'static, Response> {
        let conn = self.0.clone();
        stream::once(async move {
            let _place = place;
            let share = match conn.shares.enter(conn.client()).await {
                Ok(share) => share,
                Err(busy) => return error("BAD_USER_INPUT", busy_message(busy.limit)),
            };
            let limits = &conn.app.settings.limits;
            let limit = limits.request_timeout;
            let mut run = Executor::execute_stream(&conn.schema, request, data);
            let response = match tokio::time::timeout(limit, run.next()).await {
                Ok(Some(r)) => capped(r, limits.max_response_bytes),
                Ok(None) => Response::default(),
                Err(_) => limited(Limit::Timeout, timeout_message(limit.as_secs_f64())),
            };
            if refused_by_limit(&response) {
                hold(share, REFUSAL_PENALTY);
            }
            response
        })
        .boxed()
    }
}

/// A subscription's set-up takes a place in its client's share, as a query does.
struct ShareAdmission {
    shares: Arc<ClientShares>,
    client: ClientKey,
}

impl SetupAdmission for ShareAdmission {
    fn admit(&self) -> BoxFuture<'static, Result<Box<dyn Send>, String>> {
        let (shares, client) = (self.shares.clone(), self.client.clone());
        async move {
            match shares.enter(client).await {
                Ok(place) => Ok(Box::new(place) as Box<dyn Send>),
                Err(busy) => Err(busy_message(busy.limit)),
            }
        }
        .boxed()
    }
}

/// The answer, or a refusal when its JSON is larger than `max_bytes`
/// (measured without keeping the bytes).
fn capped(r: Response, max_bytes: usize) -> Response {
    let mut count = Count(0);
    if serde_json::to_writer(&mut count, &r).is_err() {
        tracing::error!("cannot serialize a GraphQL answer");
        return error(
            "INTERNAL",
            "internal error; the service logged the details".into(),
        );
    }
    if count.0 > max_bytes {
        return limited(Limit::ResponseSize, size_message(count.0, max_bytes));
    }
    r
}

/// Counts the bytes written to it.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscription_set_up_waits_for_its_clients_share_and_is_refused_when_busy() {
        let shares = Arc::new(ClientShares::with_wait(
            1,
            std::time::Duration::from_millis(20),
        ));
        let client = ClientKey::peer(std::net::Ipv4Addr::LOCALHOST.into());
        let admission = ShareAdmission {
            shares: shares.clone(),
            client: client.clone(),
        };
        let held = shares.enter(client.clone()).await.unwrap();
        let refused = admission.admit().await.err().expect("busy");
        assert!(refused.contains("1 requests in flight"), "{refused}");
        drop(held);
        let place = admission.admit().await.expect("a place once one is free");
        // the set-up holds the client's only place until it drops it
        assert!(shares.try_enter(client.clone()).is_err());
        drop(place);
        assert!(shares.try_enter(client).is_ok());
    }
}
