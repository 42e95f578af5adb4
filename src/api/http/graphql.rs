//! GraphQL over HTTP POST; the websocket (`ws.rs`) answers with the same limits and messages.

use super::client_limits::{hold, ClientKey, ClientShares, REFUSAL_PENALTY};
use super::{authorization, principal_from};
use crate::api::graphql::limits::{refused_by_limit, Limit};
use crate::api::graphql::AppSchema;
use crate::service::auth::AuthOutcome;
use crate::service::Service;
use actix_web::{web, HttpRequest, HttpResponse};

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
            let (code, message) = crate::api::error_codes::public(&e);
            return HttpResponse::Ok().json(serde_json::json!({
                "data": null,
                "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
            }));
        }
    };
    let principal = match &outcome {
        AuthOutcome::Accepted(p) => Some(p),
        AuthOutcome::Refused(_) => None,
    };
    let place = match shares.enter(client_key(req.peer_addr(), principal)).await {
        Ok(place) => place,
        Err(busy) => return too_many(busy.limit),
    };
    // a refusal goes along too, so resolvers can say why there is no caller
    let request = match outcome {
        AuthOutcome::Accepted(p) => request.data(p),
        AuthOutcome::Refused(why) => request.data(why),
    };
    let limits = &state.settings.limits;
    let limit = limits.request_timeout;
    let (answer, refused_by_limit) =
        match tokio::time::timeout(limit, schema.execute(request)).await {
            Ok(response) => capped(&response, limits.max_response_bytes),
            Err(_) => (
                refused(Limit::Timeout, timeout_message(limit.as_secs_f64())),
                true,
            ),
        };
    if refused_by_limit {
        hold(place, REFUSAL_PENALTY);
    }
    answer
}

/// Who a request counts against: its valid token, else its peer address.
pub(super) fn client_key(
    peer: Option<std::net::SocketAddr>,
    principal: Option<&crate::service::auth::Principal>,
) -> ClientKey {
    match principal {
        Some(p) => ClientKey::Token(p.token_id()),
        None => ClientKey::peer(
            peer.map(|a| a.ip())
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

/// Why a query was stopped by the time limit.
pub(super) fn timeout_message(seconds: f64) -> String {
    format!("the query ran longer than {seconds} s and was stopped: ask for fewer items or fields")
}

/// Why an answer of `len` bytes (or more) was not sent.
pub(super) fn size_message(len: usize, max_bytes: usize) -> String {
    format!(
        "the answer would be {len} bytes, over the limit of {max_bytes}: ask for fewer items or fields, \
         or download the report as CSV"
    )
}

/// Why a request found no place in its client's share.
pub(super) fn busy_message(limit: usize) -> String {
    format!("this client already has {limit} requests in flight; retry when one has finished")
}

/// 429: the client has all its requests in flight already.
fn too_many(limit: usize) -> HttpResponse {
    HttpResponse::TooManyRequests()
        .insert_header(("Retry-After", "1"))
        .json(serde_json::json!({
            "data": null,
            "errors": [{ "message": busy_message(limit), "extensions": { "code": "BAD_USER_INPUT" } }]
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
        Ok(body) => (
            refused(Limit::ResponseSize, size_message(body.len(), max_bytes)),
            true,
        ),
        Err(e) => {
            tracing::error!("cannot serialize a GraphQL answer: {e}");
            (HttpResponse::InternalServerError().finish(), false)
        }
    }
}
