//! HTTP routes: GraphQL (POST and websocket), GraphiQL, health, CSV download.

mod csv;
mod graphql;

use crate::app::AppState;
use crate::graphql::AppSchema;
use actix_web::{dev::Server, web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;

/// Builds the actix server on a bound listener.
pub fn server(
    listener: TcpListener,
    state: Arc<AppState>,
    schema: AppSchema,
) -> std::io::Result<Server> {
    let limit = state.settings.max_body_bytes;
    let state = web::Data::from(state);
    let schema = web::Data::new(schema);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(schema.clone())
            .app_data(web::PayloadConfig::new(limit))
            .route("/graphql", web::post().to(graphql::execute))
            .route("/graphql", web::get().to(graphql::websocket))
            .route("/", web::get().to(graphql::graphiql))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/reports/{id}/csv", web::get().to(csv::download))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Ready when the database answers.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
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

/// The caller named by an Authorization header, if the token is valid.
pub async fn principal_from(
    state: &AppState,
    header: Option<&str>,
) -> crate::Result<Option<crate::domain::Principal>> {
    match header.and_then(crate::auth::bearer) {
        Some(token) => state.principal(token).await,
        None => Ok(None),
    }
}

/// A JSON error body with a code, for non-GraphQL endpoints.
pub fn json_error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .json(serde_json::json!({ "error": { "code": code, "message": message } }))
}
