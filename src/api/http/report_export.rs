//! GET /reports/{id}/{format}: the whole report as one of the engine's
//! renderers writes it (json: the one report document `cis-scan check --format
//! json` prints; kube-bench: kube-bench's JSON shape). Same tokens and answers
//! as the CSV download, which streams on its own route.

use super::{authorization, json_error, principal_from, unauthenticated};
use crate::engine::render::{self, ExportContext};
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

/// Answers the report in the asked format as an attachment: 404 for a format
/// the service does not offer (after the token is checked, so an unauthenticated
/// caller learns nothing).
pub async fn download(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<Service>,
) -> HttpResponse {
    let (id, format) = path.into_inner();
    let header = match authorized_report(&req, &id, &state).await {
        Ok(h) => h,
        Err(answer) => return answer,
    };
    let Some(export) = render::download(&format) else {
        return json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such export format");
    };
    let document = match state.store().report_document(&header).await {
        Ok(d) => d,
        Err(e) => return internal("report document", e),
    };
    let ctx = ExportContext {
        report_id: Some(header.id),
        scan_id: header.scan_id,
        cluster: Some(header.cluster_id.clone()),
        started_at: header.started_at,
        finished_at: header.finished_at,
    };
    let mut body = Vec::new();
    if let Err(e) = render::write(&document, export.format, &ctx, false, &mut body) {
        return internal(
            "report export",
            crate::error::Error::Internal(e.to_string()),
        );
    }
    let filename = format!(
        "cis-{}-{}-{}.{}",
        header.cluster_id,
        header.benchmark,
        header.created_at.format("%Y-%m-%d"),
        export.extension
    );
    HttpResponse::Ok()
        .content_type(export.content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}
