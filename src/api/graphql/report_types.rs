//! GraphQL types of a saved report. They borrow from the report cache: a header
//! decoded once and check rows parsed once, whatever the number of fields asked.

use super::check_state::ExcludedNode;
use super::check_state::{engine_states, CheckState};
use super::check_types::CheckResult;
use super::context::{principal, state};
use super::loaders::Loaders;
use super::paging::{list_cost, page, MAX_CHECKS, NODES_ESTIMATE};
use crate::service::check_query::{ordered, sections, CheckFilter, ResultOrder, MAX_SEARCH_CHARS};
use crate::service::report_cache::ReportChecks;
use crate::service::report_view::{ReportHeader, ReportState};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

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

impl From<&crate::engine::report::Summary> for Summary {
    fn from(s: &crate::engine::report::Summary) -> Self {
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
}

/// One way to download a report.
#[derive(SimpleObject)]
pub struct Download {
    /// json, csv, kube-bench, junit, xccdf, oscal, sarif: the last segment of the URL.
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
            .map_err(super::loaders::shared)?;
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
        let previous = state(ctx).visible_previous_report(&self.0, p).await;
        Ok(previous.map_err(super::errors::gql)?.map(Report))
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
    async fn excluded_nodes(&self, ctx: &Context<'_>) -> Result<Vec<ExcludedNode>> {
        super::cost::charge_list(ctx, self.0.excluded.len(), NODES_ESTIMATE)?;
        Ok(self.0.excluded.iter().map(ExcludedNode::from).collect())
    }
    /// Names of the nodes scanned.
    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<&str>> {
        super::cost::charge_list(ctx, self.0.nodes.len(), NODES_ESTIMATE)?;
        Ok(self.0.nodes.iter().map(String::as_str).collect())
    }
    /// Where to download the whole report as JSON, the document `check --format json`
    /// prints (same authorization as the API).
    async fn json_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/reports/{}/json",
            state(ctx).settings.server.public_url.trim_end_matches('/'),
            self.0.id
        )
    }
    /// Where to download the report as CSV (same authorization as the API).
    async fn csv_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/reports/{}/csv",
            state(ctx).settings.server.public_url.trim_end_matches('/'),
            self.0.id
        )
    }
    /// Every download of this report, one per format (json, csv, kube-bench, junit, xccdf, oscal, sarif),
    /// served at `/reports/{id}/{format}` with the same authorization as the API.
    async fn downloads(&self, ctx: &Context<'_>) -> Vec<Download> {
        let base = state(ctx)
            .settings
            .server
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
        Summary::from(&self.0.summary)
    }
    /// Check results: only some states, one section ("2" for every 2.x check, "1.2"), the checks with a result
    /// on one node (whose `nodes` then hold that node only), or those whose id starts with
    /// `search` or whose description contains it (any case); in benchmark order or worst
    /// first; paged by `offset` and `limit` (all when no limit).
    #[graphql(complexity = "list_cost(limit, MAX_CHECKS, MAX_CHECKS, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn results(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<CheckState>>,
        section: Option<String>,
        node: Option<String>,
        search: Option<String>,
        #[graphql(default)] order: ResultOrder,
        #[graphql(default = 0)] offset: i32,
        limit: Option<i32>,
    ) -> Result<Vec<CheckResult>> {
        let checks = self.checks(ctx).await?;
        let filter = check_filter(states, section, node, search)?;
        let node: Option<Arc<str>> = filter.node.as_deref().map(Arc::from);
        let admitted = ordered(&checks, &filter, order);
        Ok(page(admitted.into_iter(), offset, limit)?
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
        search: Option<String>,
    ) -> Result<i32> {
        let checks = self.checks(ctx).await?;
        let filter = check_filter(states, section, node, search)?;
        Ok(checks.iter().filter(|c| filter.admits(c)).count() as i32)
    }
    /// The report's sections as its benchmark groups them ("1.2 API Server",
    /// "2 Etcd Node Configuration": each check in the deepest section its benchmark
    /// declares), in benchmark order, with how many checks each holds: the values
    /// `results(section:)` takes. A report of a benchmark this server no longer ships
    /// falls back to second-level prefixes ("2.1") with an empty title.
    async fn sections(&self, ctx: &Context<'_>) -> Result<Vec<ReportSection>> {
        let checks = self.checks(ctx).await?;
        let benchmark = state(ctx).scanner.catalog.get(&self.0.benchmark).ok();
        let declared = benchmark.as_ref().map(|b| b.sections.as_slice());
        Ok(sections(&checks, declared)
            .into_iter()
            .map(|g| ReportSection {
                id: g.id,
                title: g.title,
                checks: i32::try_from(g.checks).unwrap_or(i32::MAX),
            })
            .collect())
    }
}

/// A section of a report and how many checks it holds.
#[derive(SimpleObject)]
pub struct ReportSection {
    /// e.g. "1.2" or "2": what `results(section:)` takes.
    pub id: String,
    /// The benchmark's title, e.g. "Etcd Node Configuration"; empty when the
    /// report's benchmark is no longer shipped.
    pub title: String,
    pub checks: i32,
}

/// The filter of `results` and `resultCount`; a search longer than any check text is refused.
fn check_filter(
    states: Option<Vec<CheckState>>,
    section: Option<String>,
    node: Option<String>,
    search: Option<String>,
) -> Result<CheckFilter> {
    if search
        .as_deref()
        .is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS)
    {
        return Err(super::errors::coded(
            "BAD_USER_INPUT",
            format!("search: at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(CheckFilter {
        states: engine_states(states),
        section,
        node,
        search: CheckFilter::search_text(search.as_deref()),
    })
}
