//! GET /reports/{id}/csv: the report streamed as CSV, one check's rows at a time.
//! Report metadata goes in the file name and X-Cis-Scan-* headers, not the body.

use super::{authorization, json_error, principal_from, unauthenticated};
use crate::engine::render::csv::{encode_check, encode_header};
use crate::service::auth::AuthOutcome;
use crate::service::report_view::ReportHeader;
use crate::service::Service;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::StreamExt;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

/// Checks' rows buffered between the reader and the client.
const BUFFER: usize = 4;

type Chunk = Result<web::Bytes, String>;

/// Keeps letters, digits, dots and dashes of a file name part; anything else becomes `_`.
fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `cis-scan_<cluster>_<benchmark>_<finished-at>.csv`, safe in a quoted header value.
pub fn file_name(r: &ReportHeader) -> String {
    format!(
        "cis-scan_{}_{}_{}.csv",
        file_part(&r.cluster_id),
        file_part(&r.benchmark),
        r.finished_at.format("%Y%m%dT%H%M%SZ")
    )
}

/// The report's metadata as response headers; a value a header cannot carry is left out.
fn metadata(resp: &mut HttpResponseBuilder, r: &ReportHeader) {
    let values = [
        ("x-cis-scan-report-id", r.id.to_string()),
        ("x-cis-scan-cluster", r.cluster_id.clone()),
        ("x-cis-scan-benchmark", r.benchmark.clone()),
        ("x-cis-scan-state", r.state.as_str().to_string()),
        (
            "x-cis-scan-finished-at",
            r.finished_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    ];
    for (name, value) in values {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.insert_header((HeaderName::from_static(name), v));
        }
    }
}

/// Sends every check's rows: from the cache when the report is there, else one stored
/// row at a time, so memory does not grow with the report.
async fn feed(app: Arc<Service>, id: Uuid, tx: Sender<Chunk>) {
    let head = encode_header()
        .map(web::Bytes::from)
        .map_err(|e| e.to_string());
    if tx.send(head).await.is_err() {
        return;
    }
    if let Some(checks) = app.reports.cached_checks(id) {
        for c in checks.iter() {
            let chunk = encode_check(c)
                .map(web::Bytes::from)
                .map_err(|e| e.to_string());
            if tx.send(chunk).await.is_err() {
                return; // client went away
            }
        }
        return;
    }
    let stream = match app.store().stream_check_results(id).await {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Err(e.to_string())).await;
            return;
        }
    };
    futures_util::pin_mut!(stream);
    while let Some(item) = stream.next().await {
        let chunk = item
            .and_then(|c| c.into_result())
            .map_err(|e| e.to_string())
            .and_then(|c| encode_check(&c).map_err(|e| e.to_string()))
            .map(web::Bytes::from);
        if tx.send(chunk).await.is_err() {
            return; // client went away
        }
    }
}

/// Streams the report; the same tokens as the API are required.
pub async fn download(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<Service>,
) -> HttpResponse {
    let principal = match principal_from(&state, authorization(&req)).await {
        Ok(AuthOutcome::Accepted(p)) => p,
        Ok(AuthOutcome::Refused(why)) => return unauthenticated(why),
        Err(e) => {
            tracing::error!("token lookup failed: {e}");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    let Ok(id) = Uuid::parse_str(&path) else {
        return json_error(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "not a report id");
    };
    let report = match state.reports.header(id).await {
        Ok(Some(r)) if principal.can_access(&r.cluster_id) => r,
        Ok(_) => {
            return json_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("no report {id}"),
            )
        }
        Err(e) => {
            tracing::error!("report lookup failed: {e}");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    // the database stream borrows the store: run it on a task feeding a small channel
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(BUFFER);
    tokio::spawn(feed(state.into_inner(), id, tx));
    let body = tokio_stream::wrappers::ReceiverStream::new(rx).map(|r| {
        r.map_err(|e| {
            tracing::error!("CSV export failed: {e}");
            actix_web::error::ErrorInternalServerError("internal error")
        })
    });
    let mut resp = HttpResponse::Ok();
    resp.content_type("text/csv; charset=utf-8").insert_header((
        "Content-Disposition",
        format!("attachment; filename=\"{}\"", file_name(&report)),
    ));
    metadata(&mut resp, &report);
    resp.streaming(body)
}

#[cfg(test)]
mod tests {
    use super::file_part;

    #[test]
    fn file_name_parts_keep_only_safe_characters() {
        assert_eq!(file_part("prod-eu.1"), "prod-eu.1");
        assert_eq!(file_part("a\"b/c d"), "a_b_c_d");
    }
}
