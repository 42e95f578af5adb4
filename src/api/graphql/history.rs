//! Report comparison and a check's history across a cluster's reports.

use super::context::{cluster_for, report_for, state};
use super::cost::CostMeter;
use super::errors::{coded, gql};
use super::paging::list_cost;
use super::report_types::Report;
use super::types::CheckState;
use crate::service::history_reads;
use crate::service::report_comparison::{CheckChange, NodeChange};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// Most reports in one check history.
const MAX_HISTORY: i32 = 100;
/// The static price of a comparison: reading two reports' states, a check each.
const COMPARE_COST: usize = 2 * super::paging::MAX_CHECKS;
/// Reports in a check history when `last` is not given.
const DEFAULT_HISTORY: i32 = 20;

/// A node whose state differs between the two reports; null where it was not checked.
#[derive(SimpleObject)]
pub struct NodeStateChange {
    pub node: String,
    pub before: Option<CheckState>,
    pub after: Option<CheckState>,
}

/// A check in both reports; a state is null where the report lacks the check.
#[derive(SimpleObject)]
pub struct CheckStateChange {
    pub id: String,
    pub description: String,
    pub before: Option<CheckState>,
    pub after: Option<CheckState>,
    /// The nodes whose state changed.
    pub nodes: Vec<NodeStateChange>,
}

impl From<CheckChange> for CheckStateChange {
    fn from(c: CheckChange) -> Self {
        let node = |n: NodeChange| NodeStateChange {
            node: n.node,
            before: n.before.map(Into::into),
            after: n.after.map(Into::into),
        };
        CheckStateChange {
            id: c.id,
            description: c.title,
            before: c.before.map(Into::into),
            after: c.after.map(Into::into),
            nodes: c.nodes.into_iter().map(node).collect(),
        }
    }
}

fn changes(list: Vec<CheckChange>) -> Vec<CheckStateChange> {
    list.into_iter().map(Into::into).collect()
}

/// Two reports of one cluster compared check by check.
#[derive(SimpleObject)]
pub struct ReportComparison {
    pub base: Report,
    pub head: Report,
    /// FAIL or ERROR in head, not in base.
    pub new_failures: Vec<CheckStateChange>,
    /// FAIL or ERROR in base, PASS in head.
    pub fixed: Vec<CheckStateChange>,
    /// FAIL or ERROR in both.
    pub still_failing: Vec<CheckStateChange>,
    /// Any other change of state, e.g. FAIL to SKIP or a check only in one report.
    pub changed: Vec<CheckStateChange>,
}

/// A check's state in one report; null when the report lacks the check.
#[derive(SimpleObject)]
pub struct CheckHistoryEntry {
    pub report_id: ID,
    pub created_at: DateTime<Utc>,
    pub state: Option<CheckState>,
}

/// History and comparison queries.
#[derive(Default)]
pub struct HistoryQuery;

#[Object]
impl HistoryQuery {
    /// Compares two reports of the same cluster: NOT_FOUND when either is unknown or
    /// not the caller's, BAD_USER_INPUT when they are of different clusters. Priced as
    /// reading both reports' check states; every check and node it lists costs one more.
    #[graphql(complexity = "COMPARE_COST + child_complexity")]
    async fn compare_reports(
        &self,
        ctx: &Context<'_>,
        base: ID,
        head: ID,
    ) -> Result<ReportComparison> {
        let base = report_for(ctx, &base).await?;
        let head = report_for(ctx, &head).await?;
        if base.cluster_id != head.cluster_id {
            return Err(coded(
                "BAD_USER_INPUT",
                "the two reports are of different clusters",
            ));
        }
        let svc = state(ctx);
        let c = history_reads::compare_reports(&svc.reports, svc.store(), base.id, head.id)
            .await
            .map_err(gql)?;
        // what it lists, each changed node included: a comparison of two 1,000-node
        // reports costs what it answers, beyond the static price of one listed check
        let listed = [&c.new_failures, &c.fixed, &c.still_failing, &c.changed]
            .into_iter()
            .flatten()
            .map(|check| 1 + check.nodes.len())
            .sum::<usize>();
        if let Some(meter) = ctx.data_opt::<CostMeter>() {
            meter.charge(listed)?;
        }
        Ok(ReportComparison {
            base: Report(base),
            head: Report(head),
            new_failures: changes(c.new_failures),
            fixed: changes(c.fixed),
            still_failing: changes(c.still_failing),
            changed: changes(c.changed),
        })
    }

    /// A check's state in each of the cluster's `last` (1 to 100) newest reports, newest first.
    #[graphql(
        complexity = "list_cost(last, DEFAULT_HISTORY as usize, MAX_HISTORY as usize, child_complexity)"
    )]
    async fn check_history(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        check_id: String,
        #[graphql(default = 20)] last: Option<i32>,
    ) -> Result<Vec<CheckHistoryEntry>> {
        let last = last.unwrap_or(DEFAULT_HISTORY);
        if !(1..=MAX_HISTORY).contains(&last) {
            return Err(coded(
                "BAD_USER_INPUT",
                format!("last must be between 1 and {MAX_HISTORY}"),
            ));
        }
        let cluster = cluster_for(ctx, &cluster_id).await?;
        let entries =
            history_reads::check_history(state(ctx).store(), &cluster.id, &check_id, last as u64)
                .await
                .map_err(gql)?;
        Ok(entries
            .into_iter()
            .map(|e| CheckHistoryEntry {
                state: e.state.map(Into::into),
                report_id: ID(e.report_id.to_string()),
                created_at: e.created_at,
            })
            .collect())
    }
}
