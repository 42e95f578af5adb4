//! GET /reports/{id}/csv: the report streamed as CSV, one check's rows at a time
//! (see `download`).
//! Report metadata goes in the file name and X-Cis-Scan-* headers, not the body.

use super::client_limits::ClientShares;
use super::download;
use super::report_export::authorized_report;
use super::stream;
use crate::engine::render::csv::Csv;
use crate::service::principal::Principal;
use crate::service::report_view::ReportHeader;
use crate::service::store::report_head;
use crate::service::Service;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, HttpResponse, HttpResponseBuilder};

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

/// Streams the report (see `download`); the same tokens as the API are required.
pub async fn download(
    principal: Principal,
    path: web::Path<String>,
    state: web::Data<Service>,
    shares: web::Data<ClientShares>,
) -> actix_web::Result<HttpResponse> {
    let (row, place) = authorized_report(&principal, &path, &state, &shares).await?;
    let head = report_head(&row)?;
    let id = row.id;
    let report = ReportHeader::try_from(row)?;
    let mut resp = download::attachment("text/csv; charset=utf-8", &file_name(&report));
    metadata(&mut resp, &report);
    Ok(resp.streaming(stream::body(
        stream::Stored::new(state.into_inner(), id),
        head,
        Box::new(Csv),
        place,
    )))
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
