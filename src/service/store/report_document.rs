//! A stored report header as the report document's head, so the service serves
//! (GET /reports/{id}/{format}) exactly what `cis-scan check --format X` prints:
//! the same renderers take this head and then the stored checks one at a time.

use super::entity::report;
use crate::engine::report::{ExcludedNode, ReportHead, Summary};
use crate::error::{Error, Result};

/// What an export writes before the checks, counts included (the header row stores them).
pub fn report_head(header: &report::Model) -> Result<ReportHead> {
    let decode = |what: &str, e: serde_json::Error| {
        Error::Database(format!("report {} {what}: {e}", header.id))
    };
    let nodes: Vec<String> = serde_json::from_str(&header.nodes).map_err(|e| decode("nodes", e))?;
    let excluded: Vec<ExcludedNode> = match &header.excluded {
        Some(text) => serde_json::from_str(text).map_err(|e| decode("excluded nodes", e))?,
        None => Vec::new(),
    };
    let count = |n: i32| n.max(0) as u32;
    Ok(ReportHead {
        benchmark: header.benchmark.clone(),
        benchmark_title: header.benchmark_title.clone(),
        benchmark_reason: header.benchmark_reason.clone(),
        scored_only: header.scored_only,
        kubernetes_version: header.kubernetes_version.clone(),
        nodes,
        excluded,
        provider: header.provider.clone(),
        mode: header.mode.clone(),
        summary: Summary {
            total: count(header.total),
            pass: count(header.pass),
            fail: count(header.fail),
            warn: count(header.warn),
            skip: count(header.skip),
            not_applicable: count(header.not_applicable),
            error: count(header.error),
        },
    })
}
