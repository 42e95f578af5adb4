//! GraphQL types of a saved report. They borrow from the report cache: a header
//! decoded once and check rows parsed once, whatever the number of fields asked.

use super::context::{principal, state};
use super::loaders::Loaders;
use super::paging::{list_cost, nodes_cost, page, MAX_CHECKS};
use super::types::CheckState;
use crate::engine::report::State;
use crate::engine::report::{CheckResult as EngineCheck, ExcludedNode, NodeResult as EngineNode};
use crate::service::report_cache::ReportChecks;
use crate::service::report_view::{CheckFilter, ReportHeader, ReportState};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

fn engine_states(states: Option<Vec<CheckState>>) -> Vec<State> {
    states
        .unwrap_or_default()
        .into_iter()
        .map(State::from)
        .collect()
}

/// Counts of checks per state.
#[derive(SimpleObject)]
pub struct Summary {
    pub total: i32,
    pub pass: i32,
    pub fail: i32,
    pub warn: i32,
    pub skip: i32,
    pub not_applicable: i32,
    pub error: i32,
}

/// One way to download a report.
#[derive(SimpleObject)]
pub struct Download {
    /// json, csv, kube-bench, junit, xccdf, oscal: the last segment of the URL.
    pub format: String,
    pub url: String,
}

/// An immutable report of one scan.
pub struct Report(pub Arc<ReportHeader>);

impl Report {
    async fn checks(&self, ctx: &Context<'_>) -> Result<ReportChecks> {
        principal(ctx)?;
        // in memory: answered at once, without the loader's batching delay
        if let Some(c) = state(ctx).reports.cached_checks(self.0.id) {
            return Ok(c);
        }
        let loaded = ctx
            .data_unchecked::<Loaders>()
            .results
            .load_one(self.0.id)
            .await
            .map_err(super::types::shared)?;
        Ok(loaded.unwrap_or_default())
    }
}

#[Object]
impl Report {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn state(&self) -> ReportState {
        self.0.state
    }
    async fn cluster_id(&self) -> ID {
        ID(self.0.cluster_id.clone())
    }
    async fn scan_id(&self) -> ID {
        ID(self.0.scan_id.to_string())
    }
    async fn benchmark_version(&self) -> &str {
        &self.0.benchmark
    }
    async fn benchmark_title(&self) -> &str {
        &self.0.benchmark_title
    }
    /// Why this benchmark was chosen, e.g. "cis-1.11 for Kubernetes 1.30" or
    /// "asked for cis-1.8"; null for reports saved before it was recorded.
    async fn benchmark_reason(&self) -> Option<&str> {
        self.0.benchmark_reason.as_deref()
    }
    /// True when unscored and manual checks were left out of the results and summary.
    async fn scored_only(&self) -> bool {
        self.0.scored_only
    }
    async fn kubernetes_version(&self) -> Option<&str> {
        self.0.kubernetes_version.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The cluster's report just before this one (by creation time, then id); null for the first.
    async fn previous(&self, ctx: &Context<'_>) -> Result<Option<Report>> {
        let p = principal(ctx)?;
        let h = &self.0;
        if !p.can_access(&h.cluster_id) {
            return Ok(None);
        }
        let svc = state(ctx);
        let row = svc
            .store()
            .previous_report(&h.cluster_id, h.created_at, h.id)
            .await
            .map_err(super::errors::gql)?;
        row.map(|r| svc.reports.remember(r).map(Report))
            .transpose()
            .map_err(super::errors::gql)
    }
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    async fn finished_at(&self) -> DateTime<Utc> {
        self.0.finished_at
    }
    /// Who runs the cluster: generic, rke2, k3s, eks, gke, aks.
    async fn provider(&self) -> Option<&str> {
        self.0.provider.map(|p| p.as_str())
    }
    /// How nodes were read: snapshot, jobs or agentless.
    async fn mode(&self) -> Option<&str> {
        self.0.mode.map(|m| m.as_str())
    }
    /// Nodes left out of node checks, with why.
    async fn excluded_nodes(&self) -> Vec<ExcludedNode> {
        self.0.excluded.clone()
    }
    /// Names of the nodes scanned.
    async fn nodes(&self) -> Vec<&str> {
        self.0.nodes.iter().map(String::as_str).collect()
    }
    /// Where to download the whole report as JSON, the document `check --format json`
    /// prints (same authorization as the API).
    async fn json_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/reports/{}/json",
            state(ctx).settings.public_url.trim_end_matches('/'),
            self.0.id
        )
    }
    /// Where to download the report as CSV (same authorization as the API).
    async fn csv_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/reports/{}/csv",
            state(ctx).settings.public_url.trim_end_matches('/'),
            self.0.id
        )
    }
    /// Every download of this report, one per format (json, csv, kube-bench, junit, xccdf, oscal),
    /// served at `/reports/{id}/{format}` with the same authorization as the API.
    async fn downloads(&self, ctx: &Context<'_>) -> Vec<Download> {
        let base = state(ctx)
            .settings
            .public_url
            .trim_end_matches('/')
            .to_string();
        crate::engine::render::DOWNLOADS
            .iter()
            .map(|d| Download {
                format: d.name.to_string(),
                url: format!("{base}/reports/{}/{}", self.0.id, d.name),
            })
            .collect()
    }
    async fn summary(&self) -> Summary {
        let s = &self.0.summary;
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        Summary {
            total: n(s.total),
            pass: n(s.pass),
            fail: n(s.fail),
            warn: n(s.warn),
            skip: n(s.skip),
            not_applicable: n(s.not_applicable),
            error: n(s.error),
        }
    }
    /// Check results in benchmark order: only some states, one section ("1", "1.2") or the
    /// checks with a result on one node (whose `nodes` then hold that node only), paged by
    /// `offset` and `limit` (all when no limit).
    #[graphql(complexity = "list_cost(limit, MAX_CHECKS, MAX_CHECKS, child_complexity)")]
    async fn results(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<CheckState>>,
        section: Option<String>,
        node: Option<String>,
        #[graphql(default = 0)] offset: i32,
        limit: Option<i32>,
    ) -> Result<Vec<CheckResult>> {
        let checks = self.checks(ctx).await?;
        let filter = CheckFilter {
            states: engine_states(states),
            section,
            node,
        };
        let node: Option<Arc<str>> = filter.node.as_deref().map(Arc::from);
        let admitted = (0..checks.len()).filter(|&i| filter.admits(&checks[i]));
        Ok(page(admitted, offset, limit)?
            .into_iter()
            .map(|index| CheckResult {
                checks: checks.clone(),
                index,
                node: node.clone(),
            })
            .collect())
    }
    /// How many checks `results` would give with these filters and no paging.
    async fn result_count(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<CheckState>>,
        section: Option<String>,
        node: Option<String>,
    ) -> Result<i32> {
        let checks = self.checks(ctx).await?;
        let filter = CheckFilter {
            states: engine_states(states),
            section,
            node,
        };
        Ok(checks.iter().filter(|c| filter.admits(c)).count() as i32)
    }
}

/// One check of a report.
pub struct CheckResult {
    checks: ReportChecks,
    index: usize,
    /// The node `Report.results(node:)` named: `nodes` holds only its result by default.
    node: Option<Arc<str>>,
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
        node: Option<String>,
        states: Option<Vec<CheckState>>,
        #[graphql(default = 0)] offset: i32,
        limit: Option<i32>,
    ) -> Result<Vec<NodeResult>> {
        let states = engine_states(states);
        let picked = self.node_indexes(node.as_deref(), &states);
        Ok(page(picked, offset, limit)?
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
}
