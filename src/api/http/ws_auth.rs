//! A websocket authenticates once, at `connection_init`, but its subscriptions
//! may run for days. [`RecheckedSchema`] re-checks the connection's token while
//! each subscription runs and ends the subscription with UNAUTHENTICATED once
//! the token is revoked, expired or deleted (within the token cache's 4 s plus
//! one recheck).

use crate::api::graphql::AppSchema;
use crate::service::auth::AuthOutcome;
use crate::service::Service;
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures_util::stream::{BoxStream, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a running subscription's token is checked; most checks hit the
/// in-memory token cache, not the database.
const RECHECK: Duration = Duration::from_secs(1);

/// The token a connection authenticated with, once `connection_init` has run.
pub type ConnectionToken = Arc<Mutex<Option<String>>>;

/// The schema, with each subscription bound to its connection's token.
#[derive(Clone)]
pub struct RecheckedSchema {
    pub schema: AppSchema,
    pub app: Arc<Service>,
    pub token: ConnectionToken,
}

/// The last message of a subscription whose token stopped being valid.
fn refusal(why: crate::service::auth::Refusal) -> Response {
    let mut e = ServerError::new(why.to_string(), None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", "UNAUTHENTICATED");
    Response::from_errors(vec![e])
}

impl Executor for RecheckedSchema {
    async fn execute(&self, request: Request) -> Response {
        self.schema.execute(request).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let inner = Executor::execute_stream(&self.schema, request, session_data);
        let token = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        // without a token the subscription was refused when it started
        let Some(token) = token else { return inner };
        let app = self.app.clone();
        let start = tokio::time::Instant::now() + RECHECK;
        let ticks = tokio::time::interval_at(start, RECHECK);
        futures_util::stream::unfold(Some((inner, ticks)), move |st| {
            let app = app.clone();
            let token = token.clone();
            async move {
                let (mut inner, mut ticks) = st?;
                loop {
                    tokio::select! {
                        item = inner.next() => return item.map(|r| (r, Some((inner, ticks)))),
                        _ = ticks.tick() => match app.authenticate(&token).await {
                            Ok(AuthOutcome::Refused(why)) => return Some((refusal(why), None)),
                            Ok(AuthOutcome::Accepted(_)) => {}
                            // a database hiccup does not end subscriptions; the next tick retries
                            Err(e) => tracing::warn!("token recheck failed: {e}"),
                        },
                    }
                }
            }
        })
        .boxed()
    }
}
