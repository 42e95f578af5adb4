//! A stored report header as the report document's head, so the service serves
//! (GET /reports/{id}/{format}) exactly what `cis-scan check --format X` prints:
//! the same renderers take this head and then the stored checks one at a time.
//! Also where the provider and read mode columns (strings) become the engine's
//! enums again: a stored name outside them is a database error, never a guess.

use super::entity::report;
use crate::engine::benchmark::Provider;
use crate::engine::report::{ExcludedNode, ReadMode, ReportHead, Summary};
use crate::error::{Error, Result};

/// The provider column of report `report` as the engine's enum.
pub fn stored_provider(name: Option<&str>, report: &str) -> Result<Option<Provider>> {
    name.map(|p| {
        Provider::parse(p)
            .ok_or_else(|| Error::Database(format!("report {report}: unknown provider '{p}'")))
    })
    .transpose()
}

/// The mode column of report `report` as the engine's enum.
pub fn stored_mode(name: Option<&str>, report: &str) -> Result<Option<ReadMode>> {
    name.map(|m| {
        ReadMode::parse(m)
            .ok_or_else(|| Error::Database(format!("report {report}: unknown mode '{m}'")))
    })
    .transpose()
}

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
        provider: stored_provider(header.provider.as_deref(), &header.id.to_string())?,
        mode: stored_mode(header.mode.as_deref(), &header.id.to_string())?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_provider_or_mode_is_refused() {
        assert!(stored_provider(Some("openshift"), "r").is_err());
        assert!(stored_mode(Some("ssh"), "r").is_err());
        assert_eq!(
            stored_provider(Some("rke2"), "r").unwrap(),
            Some(Provider::Rke2)
        );
        assert_eq!(stored_mode(None, "r").unwrap(), None);
    }
}
