//! GET /reports/{id}/{format}: the whole report as one of the engine's
//! renderers writes it (json: the one report document `cis-scan check --format
//! json` prints; kube-bench: kube-bench's JSON shape), streamed (see `download`).
//! Same tokens and answers as the CSV download on its own route.

use super::client_limits::ClientShares;
use super::download;
use super::stream;
use crate::engine::render::{self, ExportContext};
use crate::error::Error;
use crate::service::principal::Principal;
use crate::service::store::entity::report;
use crate::service::store::report_head;
use crate::service::Service;
use actix_web::{web, HttpResponse};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

/// The stored report the caller may read, with a place in its share, or the
/// error refusing it (400 for a malformed id, 404 unknown or not the caller's,
/// 429 when the caller already has all its requests in flight). The place is
/// taken before the report is looked up.
pub(super) async fn authorized_report(
    principal: &Principal,
    path: &str,
    state: &Service,
    shares: &ClientShares,
) -> actix_web::Result<(report::Model, OwnedSemaphorePermit)> {
    let place = download::place(shares, principal).await?;
    let id = Uuid::parse_str(path).map_err(|_| Error::Invalid("not a report id".into()))?;
    Ok((state.visible_report_row(id, principal).await?, place))
}

/// Streams the report in the asked format as an attachment: 404 for a format the
/// service does not offer (after the token is checked, so an unauthenticated caller
/// learns nothing).
pub async fn download(
    principal: Principal,
    path: web::Path<(String, String)>,
    state: web::Data<Service>,
    shares: web::Data<ClientShares>,
) -> actix_web::Result<HttpResponse> {
    let (id, format) = path.into_inner();
    let (header, place) = authorized_report(&principal, &id, &state, &shares).await?;
    let no_format = || Error::NotFound("no such export format".into());
    let export = render::download(&format).ok_or_else(no_format)?;
    let head = report_head(&header)?;
    // the name as the cluster has it now (a removed cluster's reports keep only the id)
    let cluster_name = state
        .store()
        .cluster_any(&header.cluster_id)
        .await?
        .map(|c| c.name);
    let ctx = ExportContext {
        report_id: Some(header.id),
        scan_id: header.scan_id,
        cluster: Some(header.cluster_id.clone()),
        cluster_name,
        started_at: header.started_at,
        finished_at: header.finished_at,
    };
    let renderer = render::renderer(export.format, &ctx).ok_or_else(no_format)?;
    let filename = format!(
        "cis-{}-{}-{}.{}",
        header.cluster_id,
        header.benchmark,
        header.created_at.format("%Y-%m-%d"),
        export.extension
    );
    Ok(
        download::attachment(export.content_type, &filename).streaming(stream::body(
            stream::Stored::new(state.into_inner(), header.id),
            head,
            renderer,
            place,
        )),
    )
}
