//! Whole GraphQL answers read only from saved reports, sent again without running the
//! request (`service::report_answers`, `graphql::stored_answers`).
//!
//! A kept answer is sent only to a caller with a valid token, after the client's share
//! has given the request its place, and only when, on this very request, the caller
//! may see every report the answer was built from (`Service::visible_report`, which
//! also confirms each report still exists) and the answer's cost and size are within
//! the limits. Otherwise the request runs as usual and says why it cannot be answered.

use crate::api::graphql::answer_receipt::Receipt;
use crate::service::auth::Principal;
use crate::service::report_answers::StoredAnswer;
use crate::service::Service;
use actix_web::{web, HttpResponse};
use std::sync::Arc;

/// The kept answer to the request with this key, when `by` may have it now.
pub async fn kept(state: &Service, key: &str, by: &Principal) -> Option<HttpResponse> {
    let answer = state.reports.answers().get(key)?;
    for id in answer.reports.iter() {
        // access is decided again on every request: NOT_FOUND comes from the run below
        state.visible_report(*id, by).await.ok()?;
    }
    if answer.cost > state.settings.limits.query_complexity
        || answer.body.len() > state.settings.limits.max_response_bytes
    {
        return None;
    }
    Some(json(answer.body.clone()))
}

/// Sends an answer that was built, keeping it first when the request ran without an
/// error (`ok`) and read only saved reports. Only an answer that is kept is copied into
/// shared memory; any other is sent from the buffer it was serialized into.
pub fn send(
    state: &Service,
    key: Option<&str>,
    ok: bool,
    receipt: &Receipt,
    body: Vec<u8>,
) -> HttpResponse {
    let reports = receipt.reports().filter(|_| ok);
    let (Some(key), Some(reports)) = (key, reports) else {
        return json_response(web::Bytes::from(body));
    };
    let answers = state.reports.answers();
    if !answers.worth_keeping(key, body.len()) {
        return json_response(web::Bytes::from(body));
    }
    let body: Arc<[u8]> = Arc::from(body);
    answers.keep(
        key,
        StoredAnswer {
            body: body.clone(),
            reports: reports.into(),
            cost: receipt.cost(),
        },
    );
    json(body)
}

/// A 200 with these JSON bytes, not copied.
pub fn json(body: Arc<[u8]>) -> HttpResponse {
    json_response(web::Bytes::from_owner(body))
}

fn json_response(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}
