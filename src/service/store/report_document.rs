//! A stored report rebuilt as the engine's report document, so the service
//! serves (GET /reports/{id}/json) exactly what `cis-scan check --format json`
//! prints: one type, one serializer.

use super::entity::report;
use super::{Store, StoredCheck};
use crate::engine::report::{ExcludedNode, Report, Summary};
use crate::error::{Error, Result};

impl Store {
    /// The whole report document of a stored report header.
    pub async fn report_document(&self, header: &report::Model) -> Result<Report> {
        let decode = |what: &str, e: serde_json::Error| {
            Error::Database(format!("report {} {what}: {e}", header.id))
        };
        let nodes: Vec<String> =
            serde_json::from_str(&header.nodes).map_err(|e| decode("nodes", e))?;
        let excluded: Vec<ExcludedNode> = match &header.excluded {
            Some(text) => serde_json::from_str(text).map_err(|e| decode("excluded nodes", e))?,
            None => Vec::new(),
        };
        let results = self
            .check_results(header.id, &[], None)
            .await?
            .into_iter()
            .map(StoredCheck::into_result)
            .collect::<Result<Vec<_>>>()?;
        let count = |n: i32| n.max(0) as u32;
        Ok(Report {
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
            results,
        })
    }
}
