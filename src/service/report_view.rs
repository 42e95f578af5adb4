//! Saved reports as the read path holds them: the header with its stored strings
//! checked into enums, and the check rows parsed once, so resolvers and exports
//! borrow from memory instead of re-parsing JSON per field.

use crate::engine::benchmark::Provider;
use crate::engine::report::{CheckResult, ExcludedNode, NodeResult, ReadMode, State, Summary};
use crate::error::{Error, Result};
use crate::service::store::entity::report;
use crate::service::store::{stored_mode, stored_provider};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A saved report's verdict: PASS when no check failed or erred, else FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ReportState {
    Pass,
    Fail,
}

impl ReportState {
    /// The verdict of these results.
    pub fn of(results: &[CheckResult]) -> Self {
        if results
            .iter()
            .any(|c| matches!(c.state, State::Fail | State::Error))
        {
            ReportState::Fail
        } else {
            ReportState::Pass
        }
    }

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Pass => "PASS",
            ReportState::Fail => "FAIL",
        }
    }

    /// The stored name back; None for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        [ReportState::Pass, ReportState::Fail]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A saved report's header, decoded once.
#[derive(Debug, Clone)]
pub struct ReportHeader {
    pub id: Uuid,
    pub cluster_id: String,
    pub scan_id: Uuid,
    pub benchmark: String,
    pub benchmark_title: String,
    /// Why the benchmark was chosen (null for reports saved before it was recorded).
    pub benchmark_reason: Option<String>,
    /// True when unscored and manual checks were left out.
    pub scored_only: bool,
    pub kubernetes_version: Option<String>,
    pub state: ReportState,
    pub nodes: Vec<String>,
    pub excluded: Vec<ExcludedNode>,
    pub provider: Option<Provider>,
    pub mode: Option<ReadMode>,
    pub summary: Summary,
    pub created_at: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

fn count(n: i32) -> u32 {
    n.max(0) as u32
}

/// A stored report's counts per state (negative stored counts read as 0).
pub fn stored_summary(r: &report::Model) -> Summary {
    Summary {
        total: count(r.total),
        pass: count(r.pass),
        fail: count(r.fail),
        warn: count(r.warn),
        skip: count(r.skip),
        not_applicable: count(r.not_applicable),
        error: count(r.error),
    }
}

impl TryFrom<report::Model> for ReportHeader {
    type Error = Error;

    /// A stored value outside its enum or a malformed JSON column is a database error.
    fn try_from(r: report::Model) -> Result<Self> {
        let id = r.id.to_string();
        let summary = stored_summary(&r);
        let bad =
            |what: &str, e: serde_json::Error| Error::Database(format!("report {id}: {what}: {e}"));
        let state = ReportState::parse(&r.state)
            .ok_or_else(|| Error::Database(format!("report {id}: unknown state '{}'", r.state)))?;
        let nodes = serde_json::from_str(&r.nodes).map_err(|e| bad("nodes", e))?;
        let excluded = match r.excluded.as_deref() {
            Some(e) => serde_json::from_str(e).map_err(|e| bad("excluded", e))?,
            None => Vec::new(),
        };
        Ok(ReportHeader {
            provider: stored_provider(r.provider.as_deref(), &id)?,
            mode: stored_mode(r.mode.as_deref(), &id)?,
            id: r.id,
            cluster_id: r.cluster_id,
            scan_id: r.scan_id,
            benchmark: r.benchmark,
            benchmark_title: r.benchmark_title,
            benchmark_reason: r.benchmark_reason,
            scored_only: r.scored_only,
            kubernetes_version: r.kubernetes_version,
            state,
            nodes,
            excluded,
            summary,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

impl ReportHeader {
    /// Bytes it holds, roughly, for the cache's weigher.
    pub fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.cluster_id.len()
            + self.benchmark.len()
            + self.benchmark_title.len()
            + self.nodes.iter().map(|n| n.len() + 24).sum::<usize>()
            + self
                .excluded
                .iter()
                .map(|e| e.node.len() + e.reason.len() + 48)
                .sum::<usize>()
    }
}

/// Bytes a check holds, roughly, for the cache's weigher.
pub fn check_weight(c: &CheckResult) -> usize {
    let node = |n: &NodeResult| {
        std::mem::size_of::<NodeResult>()
            + n.node.len()
            + n.actual.len()
            + n.expected.len()
            + n.source.len()
            + n.reason.as_ref().map_or(0, String::len)
    };
    std::mem::size_of::<CheckResult>()
        + c.id.len()
        + c.title.len()
        + c.section.len()
        + c.target.len()
        + c.rule.len()
        + c.remediation.len()
        + c.reason.as_ref().map_or(0, String::len)
        + c.nodes.iter().map(node).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_state_is_refused() {
        assert_eq!(ReportState::parse("pass"), None);
        assert_eq!(ReportState::parse("FAIL"), Some(ReportState::Fail));
    }
}
