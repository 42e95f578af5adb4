//! GET /reports/{id}/{format}: the whole report as one of the engine's
//! renderers writes it (json: the one report document `cis-scan check --format
//! json` prints; kube-bench: kube-bench's JSON shape), streamed (see `download`).
//! Same tokens and answers as the CSV download on its own route.

use super::download;
use super::shares::ClientShares;
use super::stream;
use super::{authorization, json_error, principal_from, unauthenticated};
use crate::engine::render::{self, ExportContext};
use crate::service::auth::AuthOutcome;
use crate::service::store::entity::report;
use crate::service::store::report_head;
use crate::service::Service;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

/// 500, with the details in the log only.
pub(super) fn internal(what: &str, e: crate::error::Error) -> HttpResponse {
    tracing::error!("{what}: {e}");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error",
    )
}

/// The report header the request's token may read, with the caller, or the answer
/// refusing it (401 without a valid token, 400 for a malformed id, 404 unknown or not
/// the caller's, 429 when the caller already has all its requests in flight). The
/// place in the caller's share is taken before the report is looked up.
pub(super) async fn authorized_report(
    req: &HttpRequest,
    path: &str,
    state: &Service,
    shares: &ClientShares,
) -> Result<(report::Model, OwnedSemaphorePermit), HttpResponse> {
    let principal = match principal_from(state, authorization(req)).await {
        Ok(AuthOutcome::Accepted(p)) => p,
        Ok(AuthOutcome::Refused(why)) => return Err(unauthenticated(why)),
        Err(e) => return Err(internal("token lookup failed", e)),
    };
    let place = download::place(shares, &principal).await?;
    let Ok(id) = Uuid::parse_str(path) else {
        return Err(json_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "not a report id",
        ));
    };
    match state.visible_report_row(id, &principal).await {
        Ok(r) => Ok((r, place)),
        Err(crate::Error::NotFound(m)) => Err(json_error(StatusCode::NOT_FOUND, "NOT_FOUND", &m)),
        Err(e) => Err(internal("report lookup failed", e)),
    }
}

/// Streams the report in the asked format as an attachment: 404 for a format the
/// service does not offer (after the token is checked, so an unauthenticated caller
/// learns nothing).
pub async fn download(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<Service>,
    shares: web::Data<ClientShares>,
) -> HttpResponse {
    let (id, format) = path.into_inner();
    let (header, place) = match authorized_report(&req, &id, &state, &shares).await {
        Ok(h) => h,
        Err(answer) => return answer,
    };
    let Some(export) = render::download(&format) else {
        return json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such export format");
    };
    let head = match report_head(&header) {
        Ok(h) => h,
        Err(e) => return internal("report head", e),
    };
    // the name as the cluster has it now (a removed cluster's reports keep only the id)
    let cluster_name = match state.store().cluster_any(&header.cluster_id).await {
        Ok(c) => c.map(|c| c.name),
        Err(e) => return internal("cluster lookup", e),
    };
    let ctx = ExportContext {
        report_id: Some(header.id),
        scan_id: header.scan_id,
        cluster: Some(header.cluster_id.clone()),
        cluster_name,
        started_at: header.started_at,
        finished_at: header.finished_at,
    };
    let Some(renderer) = render::renderer(export.format, &ctx) else {
        return json_error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such export format");
    };
    let filename = format!(
        "cis-{}-{}-{}.{}",
        header.cluster_id,
        header.benchmark,
        header.created_at.format("%Y-%m-%d"),
        export.extension
    );
    download::attachment(export.content_type, &filename).streaming(stream::body(
        stream::Stored::new(state.into_inner(), header.id),
        head,
        renderer,
        place,
    ))
}
