//! GraphQL types of one check of a saved report and its per-node results; they
//! borrow from the report cache's parsed rows.

use super::check_state::{engine_states, CheckState};
use super::cost::charge_list;
use super::paging::{nodes_cost, page, NODES_ESTIMATE};
use crate::engine::report::{CheckResult as EngineCheck, NodeResult as EngineNode, State};
use crate::service::report_cache::ReportChecks;
use async_graphql::{Context, Object, Result};
use std::sync::Arc;

/// One check of a report.
pub struct CheckResult {
    pub(super) checks: ReportChecks,
    pub(super) index: usize,
    /// The node `Report.results(node:)` named: `nodes` holds only its result by default.
    pub(super) node: Option<Arc<str>>,
}

impl CheckResult {
    fn check(&self) -> &EngineCheck {
        &self.checks[self.index]
    }

    /// Indexes of the per-node results that pass these filters.
    fn node_indexes<'a>(
        &'a self,
        node: Option<&'a str>,
        states: &'a [State],
    ) -> impl Iterator<Item = usize> + 'a {
        let node = node.or(self.node.as_deref());
        self.check()
            .nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| {
                node.is_none_or(|want| n.node == want)
                    && (states.is_empty() || states.contains(&n.state))
            })
            .map(|(i, _)| i)
    }
}

#[Object]
impl CheckResult {
    /// The benchmark's check id, e.g. 1.2.16.
    async fn id(&self) -> &str {
        &self.check().id
    }
    async fn description(&self) -> &str {
        &self.check().title
    }
    async fn state(&self) -> CheckState {
        self.check().state.into()
    }
    async fn scored(&self) -> bool {
        self.check().scored
    }
    /// True when cis-scan judged it; false for manual review.
    async fn automated(&self) -> bool {
        self.check().automated
    }
    async fn section(&self) -> &str {
        &self.check().section
    }
    /// master, etcd, controlplane, node or policies.
    async fn node_type(&self) -> &str {
        &self.check().target
    }
    async fn remediation(&self) -> &str {
        &self.check().remediation
    }
    /// Why the check has its state (skip reason and who skipped it, ...).
    async fn reason(&self) -> Option<&str> {
        self.check().reason.as_deref()
    }
    /// Per-node results: only one node's, only some states, paged by `offset` and `limit`.
    /// Priced as NODES_ESTIMATE nodes without `node` or `limit`; the response-size cap
    /// bounds larger reports.
    #[graphql(complexity = "nodes_cost(node.is_some(), limit, child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        node: Option<String>,
        states: Option<Vec<CheckState>>,
        #[graphql(default = 0)] offset: i32,
        limit: Option<i32>,
    ) -> Result<Vec<NodeResult>> {
        let states = engine_states(states);
        let picked = self.node_indexes(node.as_deref(), &states);
        let picked = page(picked, offset, limit)?;
        if node.is_none() && self.node.is_none() && limit.is_none() {
            // priced as NODES_ESTIMATE nodes before it ran: the rest costs now
            charge_list(ctx, picked.len(), NODES_ESTIMATE)?;
        }
        Ok(picked
            .into_iter()
            .map(|index| NodeResult {
                checks: self.checks.clone(),
                check: self.index,
                index,
            })
            .collect())
    }
    /// How many per-node results `nodes` would give with these filters and no paging.
    async fn node_count(&self, node: Option<String>, states: Option<Vec<CheckState>>) -> i32 {
        let states = engine_states(states);
        self.node_indexes(node.as_deref(), &states).count() as i32
    }
}

/// A check's result on one node.
pub struct NodeResult {
    checks: ReportChecks,
    check: usize,
    index: usize,
}

impl NodeResult {
    fn result(&self) -> &EngineNode {
        &self.checks[self.check].nodes[self.index]
    }
}

#[Object]
impl NodeResult {
    async fn node(&self) -> &str {
        &self.result().node
    }
    async fn state(&self) -> CheckState {
        self.result().state.into()
    }
    async fn actual(&self) -> &str {
        &self.result().actual
    }
    async fn expected(&self) -> &str {
        &self.result().expected
    }
    async fn source(&self) -> &str {
        &self.result().source
    }
    async fn reason(&self) -> Option<&str> {
        self.result().reason.as_deref()
    }
    /// How to check it by hand: the command a person runs on this node (or with
    /// kubectl, for cluster checks) to see the fact that decided the state, with the
    /// distribution's own paths and processes; empty when there is nothing to run.
    async fn audit(&self) -> &str {
        &self.result().audit
    }
}
