//! Whole GraphQL answers read only from saved reports, sent again without running the
//! request (`service::report_answers`, `graphql::stored_answers`).
//!
//! A kept answer is sent only to a caller with a valid token, after the client's share
//! has given the request its place, and only when, on this very request, the caller
//! may see every report the answer was built from (`Service::visible_report`, which
//! also confirms each report still exists) and the answer's cost and size are within
//! the limits. Otherwise the request runs as usual and says why it cannot be answered.

use crate::api::graphql::answer_receipt::Receipt;
use crate::service::domain::Principal;
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
    if answer.cost > state.settings.query_complexity
        || answer.body.len() > state.settings.max_response_bytes
    {
        return None;
    }
    Some(json(answer.body.clone()))
}

/// Keeps the answer of a request that ran without an error and read only saved reports.
pub fn keep(state: &Service, key: &str, receipt: &Receipt, body: &Arc<[u8]>) {
    if let Some(reports) = receipt.reports() {
        state.reports.answers().keep(
            key,
            StoredAnswer {
                body: body.clone(),
                reports: reports.into(),
                cost: receipt.cost(),
            },
        );
    }
}

/// A 200 with these JSON bytes, not copied.
pub fn json(body: Arc<[u8]>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(web::Bytes::from_owner(body))
}
