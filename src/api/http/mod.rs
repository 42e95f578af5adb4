//! HTTP routes: GraphQL (POST and websocket), the web UI and GraphiQL, health, CSV and JSON downloads.

mod answers;
mod assets;
mod csv;
mod download;
mod graphql;
mod report_export;
pub mod shares;
mod stream;
mod ws;
mod ws_ops;

use crate::api::graphql::AppSchema;
use crate::service::auth::{AuthOutcome, Refusal};
use crate::service::domain::Principal;
use crate::service::Service;
use actix_web::http::StatusCode;
use actix_web::{dev::Server, web, App, HttpRequest, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;

/// Builds the actix server on a bound listener.
pub fn server(
    listener: TcpListener,
    state: Arc<Service>,
    schema: AppSchema,
) -> std::io::Result<Server> {
    let limit = state.settings.max_body_bytes;
    let shares = web::Data::new(shares::ClientShares::new(state.settings.client_concurrency));
    let sockets = web::Data::new(ws::SocketShares(shares::ClientShares::new(
        state.settings.ws_connections_per_client,
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

/// Prometheus metrics, for the metrics token or an administrator; figures
/// from the database are the same on every replica.
async fn metrics(req: HttpRequest, state: web::Data<Service>) -> HttpResponse {
    if let Err(refused) = metrics_access(&state, authorization(&req)).await {
        return refused;
    }
    match state.metrics_text().await {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(e) => {
            tracing::error!("metrics: {e}");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable\n")
        }
    }
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

/// Who may scrape: the configured metrics token (compared in constant time)
/// or an administrator token. An owner token is known but not enough: 403.
async fn metrics_access(state: &Service, header: Option<&str>) -> Result<(), HttpResponse> {
    let Some(token) = header.and_then(crate::service::auth::bearer) else {
        return Err(unauthenticated(Refusal::Missing));
    };
    let expected = &state.settings.metrics_token;
    if !expected.is_empty() && crate::service::auth::secret_matches(token, expected) {
        return Ok(());
    }
    match state.authenticate(token).await {
        Ok(AuthOutcome::Accepted(Principal::Admin { .. })) => Ok(()),
        Ok(AuthOutcome::Accepted(Principal::Owner { .. })) => Err(json_error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "metrics need the metrics token or an administrator token",
        )),
        Ok(AuthOutcome::Refused(why)) => Err(unauthenticated(why)),
        Err(e) => {
            tracing::error!("token lookup failed: {e}");
            Err(json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            ))
        }
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

/// 401 saying why, with the challenge HTTP clients expect.
pub fn unauthenticated(why: Refusal) -> HttpResponse {
    let mut res = json_error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        &why.to_string(),
    );
    res.headers_mut().insert(
        actix_web::http::header::WWW_AUTHENTICATE,
        actix_web::http::header::HeaderValue::from_static("Bearer realm=\"cis-scan\""),
    );
    res
}

/// A JSON error body with a code, for non-GraphQL endpoints.
pub fn json_error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .json(serde_json::json!({ "error": { "code": code, "message": message } }))
}
