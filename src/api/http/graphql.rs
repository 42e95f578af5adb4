//! GraphQL over HTTP POST and over websocket (graphql-transport-ws).

use super::shares::{hold, ClientKey, ClientShares, REFUSAL_PENALTY};
use super::ws_auth::{ConnectionToken, RecheckedSchema};
use super::{authorization, json_error, principal_from};
use crate::api::graphql::limits::{refused_by_limit, Limit};
use crate::api::graphql::AppSchema;
use crate::service::auth::AuthOutcome;
use crate::service::Service;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::Data;
use async_graphql_actix_web::GraphQLSubscription;

/// POST /graphql: a JSON GraphQL request; the body size is limited by PayloadConfig,
/// the client's requests in flight by its share, the run time and answer size by settings.
pub async fn execute(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Service>,
    schema: web::Data<AppSchema>,
    shares: web::Data<ClientShares>,
) -> HttpResponse {
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return HttpResponse::BadRequest().json(serde_json::json!({
                "errors": [{ "message": format!("the body is not a GraphQL request: {e}"), "extensions": { "code": "BAD_USER_INPUT" } }]
            }))
        }
    };
    let outcome = match principal_from(&state, authorization(&req)).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!("token lookup failed: {e}");
            return HttpResponse::Ok().json(serde_json::json!({
                "data": null,
                "errors": [{ "message": "internal error; the service logged the details", "extensions": { "code": "INTERNAL" } }]
            }));
        }
    };
    let principal = match &outcome {
        AuthOutcome::Accepted(p) => Some(p),
        AuthOutcome::Refused(_) => None,
    };
    let place = match shares.enter(client_key(&req, principal)).await {
        Ok(place) => place,
        Err(busy) => return too_many(busy.limit),
    };
    // a refusal goes along too, so resolvers can say why there is no caller
    let request = match outcome {
        AuthOutcome::Accepted(p) => request.data(p),
        AuthOutcome::Refused(why) => request.data(why),
    };
    let settings = &state.settings;
    let limit = std::time::Duration::from_secs_f64(settings.request_timeout_seconds);
    let (answer, refused_by_limit) =
        match tokio::time::timeout(limit, schema.execute(request)).await {
            Ok(response) => capped(&response, settings.max_response_bytes),
            Err(_) => (
                refused(
                    Limit::Timeout,
                    format!(
                    "the query ran longer than {} s and was stopped: ask for fewer items or fields",
                    settings.request_timeout_seconds
                ),
                ),
                true,
            ),
        };
    if refused_by_limit {
        hold(place, REFUSAL_PENALTY);
    }
    answer
}

/// Who a request counts against: its valid token, else its peer address.
fn client_key(
    req: &HttpRequest,
    principal: Option<&crate::service::domain::Principal>,
) -> ClientKey {
    use crate::service::domain::Principal;
    match principal {
        Some(Principal::Admin { token_id } | Principal::Owner { token_id, .. }) => {
            ClientKey::Token(*token_id)
        }
        None => ClientKey::peer(
            req.peer_addr()
                .map(|a| a.ip())
                .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into()),
        ),
    }
}

/// A GraphQL answer with one error, from a query limit, and no data.
fn refused(limit: Limit, message: String) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT", "limit": limit.as_str() } }]
    }))
}

/// 429: the client has all its requests in flight already.
fn too_many(limit: usize) -> HttpResponse {
    HttpResponse::TooManyRequests()
        .insert_header(("Retry-After", "1"))
        .json(serde_json::json!({
            "data": null,
            "errors": [{ "message": format!("this client already has {limit} requests in flight; retry when one has finished"), "extensions": { "code": "BAD_USER_INPUT" } }]
        }))
}

/// The answer, or a refusal when it is larger than the limit; true when a limit refused it.
fn capped(response: &async_graphql::Response, max_bytes: usize) -> (HttpResponse, bool) {
    match serde_json::to_vec(response) {
        Ok(body) if body.len() <= max_bytes => (
            HttpResponse::Ok()
                .content_type("application/json")
                .body(body),
            refused_by_limit(response),
        ),
        Ok(body) => (refused(Limit::ResponseSize, format!(
            "the answer would be {} bytes, over the limit of {max_bytes}: ask for fewer items or fields, \
             or download the report as CSV",
            body.len()
        )), true),
        Err(e) => {
            tracing::error!("cannot serialize a GraphQL answer: {e}");
            (HttpResponse::InternalServerError().finish(), false)
        }
    }
}

/// GET /graphql: websocket subscriptions; the token comes in connection_init's payload.
pub async fn websocket(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<Service>,
    schema: web::Data<AppSchema>,
) -> actix_web::Result<HttpResponse> {
    if req.headers().get("upgrade").is_none() {
        return Ok(json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "use POST for queries, or a websocket for subscriptions",
        ));
    }
    let header = authorization(&req).map(str::to_string);
    let app = state.into_inner();
    let token = ConnectionToken::default();
    let executor = RecheckedSchema {
        schema: AppSchema::clone(&schema),
        app: app.clone(),
        token: token.clone(),
    };
    GraphQLSubscription::new(executor)
        .on_connection_init(move |value: serde_json::Value| async move {
            let mut data = Data::default();
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
            match principal_from(&app, presented.as_deref()).await {
                Ok(AuthOutcome::Accepted(p)) => {
                    // kept so running subscriptions can notice a revocation
                    *token.lock().unwrap_or_else(|e| e.into_inner()) = presented
                        .as_deref()
                        .and_then(crate::service::auth::bearer)
                        .map(str::to_string);
                    data.insert(p)
                }
                Ok(AuthOutcome::Refused(why)) => data.insert(why),
                Err(e) => {
                    tracing::error!("token lookup failed: {e}");
                    return Err("internal error; the service logged the details".into());
                }
            }
            Ok(data)
        })
        .start(&req, payload)
}
