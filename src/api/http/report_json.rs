//! GET /reports/{id}/json: the whole report as the one report document (the
//! engine's `Report` in its serde form), the same `cis-scan check --format
//! json` prints. Same tokens and answers as the CSV download.

use super::{authorization, json_error, principal_from, unauthenticated};
use crate::service::auth::AuthOutcome;
use crate::service::store::entity::report;
use crate::service::Service;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

fn internal(what: &str, e: crate::error::Error) -> HttpResponse {
    tracing::error!("{what}: {e}");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error",
    )
}

/// The report header the request's token may read, or the answer refusing it
/// (401 without a valid token, 400 for a malformed id, 404 unknown or not the caller's).
pub(super) async fn authorized_report(
    req: &HttpRequest,
    path: &str,
    state: &Service,
) -> Result<report::Model, HttpResponse> {
    let principal = match principal_from(state, authorization(req)).await {
        Ok(AuthOutcome::Accepted(p)) => p,
        Ok(AuthOutcome::Refused(why)) => return Err(unauthenticated(why)),
        Err(e) => return Err(internal("token lookup failed", e)),
    };
    let Ok(id) = Uuid::parse_str(path) else {
        return Err(json_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "not a report id",
        ));
    };
    match state.store().report(id).await {
        Ok(Some(r)) if principal.can_access(&r.cluster_id) => Ok(r),
        Ok(_) => Err(json_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("no report {id}"),
        )),
        Err(e) => Err(internal("report lookup failed", e)),
    }
}

/// Answers the report document as a JSON attachment.
pub async fn download(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<Service>,
) -> HttpResponse {
    let header = match authorized_report(&req, &path, &state).await {
        Ok(h) => h,
        Err(answer) => return answer,
    };
    let document = match state.store().report_document(&header).await {
        Ok(d) => d,
        Err(e) => return internal("report document", e),
    };
    let body = match serde_json::to_vec_pretty(&document) {
        Ok(b) => b,
        Err(e) => {
            return internal(
                "report document",
                crate::error::Error::Internal(e.to_string()),
            )
        }
    };
    let filename = format!(
        "cis-{}-{}-{}.json",
        header.cluster_id,
        header.benchmark,
        header.created_at.format("%Y-%m-%d")
    );
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}
