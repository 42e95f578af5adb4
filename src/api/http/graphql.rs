//! GraphQL over HTTP POST; the websocket (`ws.rs`) answers with the same limits and messages.

use super::answers;
use super::client_limits::{hold, ClientKey, ClientShares, REFUSAL_PENALTY};
use super::{authorization, principal_from};
use crate::api::graphql::answer_receipt::Receipt;
use crate::api::graphql::limits::{refused_by_limit, Limit};
use crate::api::graphql::stored_answers::answer_key;
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
    // an answer read only from saved reports may have been kept: it is sent only to
    // a caller who may see those reports now (see `answers`)
    let key = principal.map(|_| answer_key(&request));
    if let (Some(p), Some(k)) = (principal, &key) {
        if let Some(kept) = answers::kept(&state, k, p).await {
            return kept;
        }
    }
    let receipt = Receipt::default();
    // a refusal goes along too, so resolvers can say why there is no caller
    let request = match outcome {
        AuthOutcome::Accepted(p) => request.data(p).data(receipt.clone()),
        AuthOutcome::Refused(why) => request.data(why),
    };
    let limits = &state.settings.limits;
    let limit = limits.request_timeout;
    let (answer, refused_by_limit) =
        match tokio::time::timeout(limit, schema.execute(request)).await {
            Ok(response) => match capped(&response, limits.max_response_bytes) {
                Capped::Sent(body) => (
                    answers::send(&state, key.as_deref(), response.is_ok(), &receipt, body),
                    refused_by_limit(&response),
                ),
                Capped::Refused(answer) => (answer, true),
                Capped::Failed => (HttpResponse::InternalServerError().finish(), false),
            },
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

/// A serialized answer within the size limit, or why it is not sent.
enum Capped {
    Sent(Vec<u8>),
    /// Larger than the limit: a refusal to send instead.
    Refused(HttpResponse),
    Failed,
}

/// The answer's bytes, or a refusal when it is larger than the limit.
fn capped(response: &async_graphql::Response, max_bytes: usize) -> Capped {
    match serde_json::to_vec(response) {
        Ok(body) if body.len() <= max_bytes => Capped::Sent(body),
        Ok(body) => Capped::Refused(refused(
            Limit::ResponseSize,
            size_message(body.len(), max_bytes),
        )),
        Err(e) => {
            tracing::error!("cannot serialize a GraphQL answer: {e}");
            Capped::Failed
        }
    }
}
