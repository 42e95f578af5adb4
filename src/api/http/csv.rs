//! GET /reports/{id}/csv: the report streamed as CSV, one check at a time.

use super::{authorization, json_error, principal_from, unauthenticated};
use crate::engine::render::csv::{row, HEADER};
use crate::engine::report::CheckResult;
use crate::engine::report::State;
use crate::service::auth::AuthOutcome;
use crate::service::store::StoredCheck;
use crate::service::Service;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use std::sync::Arc;
use uuid::Uuid;

/// Rows buffered between the database and the client.
const BUFFER: usize = 4;

fn encode(fields: &[String]) -> Result<web::Bytes, String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(fields).map_err(|e| e.to_string())?;
    w.into_inner()
        .map(web::Bytes::from)
        .map_err(|e| e.to_string())
}

fn engine_check(c: StoredCheck) -> CheckResult {
    let r = c.row;
    CheckResult {
        id: r.check_id,
        title: r.title,
        section: r.section,
        target: r.target,
        state: State::parse(&r.state).unwrap_or(State::Error),
        scored: r.scored,
        automated: r.automated,
        rule: r.rule,
        remediation: r.remediation,
        reason: r.reason,
        nodes: c.nodes,
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
    let report = match state.store().report(id).await {
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
    let filename = format!(
        "cis-{}-{}-{}.csv",
        report.cluster_id,
        report.benchmark,
        report.created_at.format("%Y-%m-%d")
    );
    let title = format!(
        "# cluster {}, benchmark {}, scanned {}\n",
        report.cluster_id,
        report.benchmark,
        report
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    // the database stream borrows the store: run it on a task feeding a small channel
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, String>>(BUFFER);
    let app: Arc<Service> = state.into_inner();
    tokio::spawn(async move {
        let head = encode(&HEADER.map(String::from))
            .map(|h| web::Bytes::from([title.as_bytes(), &h].concat()));
        if tx.send(head).await.is_err() {
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
                .map_err(|e| e.to_string())
                .and_then(|c| encode(&row(&engine_check(c))));
            if tx.send(chunk).await.is_err() {
                return; // client went away
            }
        }
    });
    let body = tokio_stream::wrappers::ReceiverStream::new(rx)
        .map(|r| r.map_err(actix_web::error::ErrorInternalServerError));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body)
}
