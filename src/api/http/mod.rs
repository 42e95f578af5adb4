//! HTTP routes: GraphQL (POST and websocket), the web UI and GraphiQL, health, CSV and JSON
//! downloads; and who is calling: `Principal` is an actix extractor, so a handler that takes
//! one runs only for a valid token, and every other request gets 401 saying why (or 500 when
//! the token could not be looked up).

mod answers;
mod assets;
pub mod client_limits;
mod csv;
mod download;
mod errors;
mod graphql;
mod report_export;
mod stream;
mod ws;
mod ws_ops;

pub use errors::json_error;

use crate::api::graphql::AppSchema;
use crate::error::{Error, Refusal};
use crate::service::auth::{AuthOutcome, Principal};
use crate::service::Service;
use actix_web::dev::Payload;
use actix_web::FromRequest;
use actix_web::{dev::Server, web, App, HttpRequest, HttpResponse, HttpServer};
use futures_util::future::LocalBoxFuture;
use std::net::TcpListener;
use std::sync::Arc;

/// Builds the actix server on a bound listener.
pub fn server(
    listener: TcpListener,
    state: Arc<Service>,
    schema: AppSchema,
) -> std::io::Result<Server> {
    let limit = state.settings.server.max_body_bytes;
    let shares = web::Data::new(client_limits::ClientShares::new(
        state.settings.limits.client_concurrency,
    ));
    let sockets = web::Data::new(ws::SocketShares(client_limits::ClientShares::new(
        state.settings.websocket.connections_per_client,
    )));
    let state = web::Data::from(state);
    let schema = web::Data::new(schema);
    let server = HttpServer::new(move || {
        App::new()
            // every answer (exports, CSV, JSON errors) is what its Content-Type says:
            // a browser never sniffs a report's text (node names, evidence) into HTML
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff")),
            )
            .wrap(actix_web::middleware::from_fn(observe))
            .app_data(state.clone())
            .app_data(schema.clone())
            .app_data(shares.clone())
            .app_data(sockets.clone())
            .app_data(web::PayloadConfig::new(limit))
            .route("/graphql", web::post().to(graphql::execute))
            .route("/graphql", web::get().to(ws::websocket))
            .route("/", web::get().to(assets::index))
            .route("/graphiql", web::get().to(assets::graphiql))
            .service(
                web::scope("/assets")
                    .wrap(actix_web::middleware::Compress::default())
                    .route("/{path:.*}", web::get().to(assets::file)),
            )
            .route("/healthz", web::get().to(healthz))
            .route("/metrics", web::get().to(metrics))
            .route("/readyz", web::get().to(readyz))
            .route("/reports/{id}/csv", web::get().to(csv::download))
            .route(
                "/reports/{id}/{format}",
                web::get().to(report_export::download),
            )
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Counts every request by method (a fixed set), matched route and status.
async fn observe(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let start = std::time::Instant::now();
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<Service>>().cloned();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    if let Some(s) = state {
        s.scanner.metrics.observe_http(
            &method,
            &route,
            res.status().as_u16(),
            start.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// Prometheus metrics, for the metrics token or an administrator
/// (`Service::metrics_access`); figures from the database are the same on
/// every replica.
async fn metrics(req: HttpRequest, state: web::Data<Service>) -> actix_web::Result<HttpResponse> {
    state.metrics_access(authorization(&req)).await?;
    Ok(match state.metrics_text().await {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(e) => {
            tracing::error!("metrics: {}", e.chain());
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable\n")
        }
    })
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Ready when the database answers.
async fn readyz(state: web::Data<Service>) -> HttpResponse {
    if state.store().ping().await {
        HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unreachable\n")
    }
}

/// The Authorization header, when it is text.
pub fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
}

/// The caller named by an Authorization header, or why there is none.
pub async fn principal_from(state: &Service, header: Option<&str>) -> crate::Result<AuthOutcome> {
    match header.and_then(crate::service::auth::bearer) {
        Some(token) => state.authenticate(token).await,
        None => Ok(AuthOutcome::Refused(Refusal::Missing)),
    }
}

impl FromRequest for Principal {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<Service>>().cloned();
        let header = authorization(req).map(str::to_string);
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::Internal("no service in the app".into()))?;
            match principal_from(&state, header.as_deref()).await? {
                AuthOutcome::Accepted(p) => Ok(p),
                AuthOutcome::Refused(why) => Err(Error::Unauthenticated(why)),
            }
        })
    }
}
