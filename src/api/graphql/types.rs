//! GraphQL output types, built from database rows (kept apart from the entities).

use super::context::{principal, state};
use super::errors::gql;
use super::loaders::{Loaders, ResultsKey};
use crate::engine::report::{NodeResult as EngineNode, State};
use crate::service::domain::{Principal, ScanProgress, ScanState};
use crate::service::store::entity::cluster::ClusterOrigin;
use crate::service::store::entity::{cluster, report, scan, skipped_test};
use crate::service::store::StoredCheck;
use crate::sources::SourceKind;
use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// What `Report.results` counts as for query cost: no benchmark has more checks.
pub const MAX_CHECKS: usize = 150;
/// What `CheckResult.nodes` counts as for query cost. The real number is known only once the
/// report is read; answers larger than `max_response_bytes` are refused after the fact.
pub const NODES_ESTIMATE: usize = 5;
/// What other unpaged lists (clusters, schedules, skipped tests) count as for query cost.
pub const LIST_ESTIMATE: usize = 20;

fn loaders<'a>(ctx: &'a Context<'_>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// A batched load failed: only database errors reach here.
fn shared(e: std::sync::Arc<crate::Error>) -> async_graphql::Error {
    tracing::error!("internal error: {e}");
    super::errors::coded("INTERNAL", "internal error; the service logged the details")
}

/// The verdict of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CheckState {
    Pass,
    Fail,
    Warn,
    Skip,
    NotApplicable,
    Error,
}

impl From<State> for CheckState {
    fn from(s: State) -> Self {
        match s {
            State::Pass => CheckState::Pass,
            State::Fail => CheckState::Fail,
            State::Warn => CheckState::Warn,
            State::Skip => CheckState::Skip,
            State::NotApplicable => CheckState::NotApplicable,
            State::Error => CheckState::Error,
        }
    }
}

impl From<CheckState> for State {
    fn from(s: CheckState) -> Self {
        match s {
            CheckState::Pass => State::Pass,
            CheckState::Fail => State::Fail,
            CheckState::Warn => State::Warn,
            CheckState::Skip => State::Skip,
            CheckState::NotApplicable => State::NotApplicable,
            CheckState::Error => State::Error,
        }
    }
}

/// PASS when no check failed or erred, else FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReportState {
    Pass,
    Fail,
}

/// The kind of a cluster's source: all a cluster owner is shown of it (the
/// description names server paths, which only administrators see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ClusterSourceKind {
    /// Facts read from a snapshot directory (or the built-in demo).
    Snapshot,
    /// A live cluster through a kubeconfig named in the configuration file.
    Kubeconfig,
    /// The live cluster the service runs in, through its service account.
    InCluster,
    /// A live cluster registered through the API.
    Registered,
    /// A source added by code (embedding, tests).
    Other,
}

impl From<SourceKind> for ClusterSourceKind {
    fn from(k: SourceKind) -> Self {
        match k {
            SourceKind::Snapshot => ClusterSourceKind::Snapshot,
            SourceKind::Kubeconfig => ClusterSourceKind::Kubeconfig,
            SourceKind::InCluster => ClusterSourceKind::InCluster,
            SourceKind::Registered => ClusterSourceKind::Registered,
            SourceKind::Other => ClusterSourceKind::Other,
        }
    }
}

/// A cluster.
pub struct Cluster(pub cluster::Model);

#[Object]
impl Cluster {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The benchmark (or profile) its scans use unless one is asked for; null
    /// when the provider and Kubernetes version decide.
    async fn benchmark(&self) -> Option<&str> {
        self.0.benchmark.as_deref()
    }
    /// The kind of source its facts come from.
    async fn source_kind(&self, ctx: &Context<'_>) -> ClusterSourceKind {
        if self.0.origin == ClusterOrigin::Api {
            return ClusterSourceKind::Registered;
        }
        match state(ctx).scanner.source(&self.0.id) {
            Some(s) => s.kind().into(),
            None => ClusterSourceKind::Other,
        }
    }
    /// Where its facts come from, with server paths: administrators only, null for cluster owners.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(match principal(ctx)? {
            Principal::Admin { .. } => Some(&self.0.source),
            Principal::Owner { .. } => None,
        })
    }
    /// The newest report, if any.
    async fn latest_report(&self, ctx: &Context<'_>) -> Result<Option<Report>> {
        Ok(loaders(ctx)
            .latest
            .load_one(self.0.id.clone())
            .await
            .map_err(shared)?
            .map(Report))
    }
    /// Tests skipped for this cluster.
    #[graphql(complexity = "LIST_ESTIMATE * child_complexity + 1")]
    async fn skipped_tests(&self, ctx: &Context<'_>) -> Result<Vec<SkippedTest>> {
        Ok(state(ctx)
            .store()
            .skipped_tests(&self.0.id)
            .await
            .map_err(gql)?
            .into_iter()
            .map(SkippedTest)
            .collect())
    }
}

/// A scan request.
pub struct Scan(pub scan::Model);

#[Object]
impl Scan {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn state(&self) -> ScanState {
        self.0.state
    }
    /// The benchmark asked for; null when chosen from the Kubernetes version.
    async fn benchmark(&self) -> Option<&str> {
        self.0.benchmark.as_deref()
    }
    /// Asked to leave unscored and manual checks out of the report.
    async fn scored_only(&self) -> bool {
        self.0.scored_only
    }
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    async fn requested_by(&self) -> &str {
        &self.0.requested_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    async fn cluster(&self, ctx: &Context<'_>) -> Result<Option<Cluster>> {
        Ok(state(ctx)
            .store()
            .cluster(&self.0.cluster_id)
            .await
            .map_err(gql)?
            .map(Cluster))
    }
    /// The report the scan wrote, once it succeeded (null if since deleted).
    async fn report(&self, ctx: &Context<'_>) -> Result<Option<Report>> {
        let Some(id) = self.0.report_id else {
            return Ok(None);
        };
        Ok(state(ctx)
            .store()
            .report(id)
            .await
            .map_err(gql)?
            .map(Report))
    }
    /// The latest progress event.
    async fn progress(&self, ctx: &Context<'_>) -> ScanProgress {
        state(ctx).scanner.current(&self.0).await
    }
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

/// An immutable report of one scan.
pub struct Report(pub report::Model);

#[Object]
impl Report {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn state(&self) -> ReportState {
        if self.0.state == "PASS" {
            ReportState::Pass
        } else {
            ReportState::Fail
        }
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
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    async fn finished_at(&self) -> DateTime<Utc> {
        self.0.finished_at
    }
    /// Who runs the cluster: generic, rke2, k3s, eks, gke, aks.
    async fn provider(&self) -> Option<&str> {
        self.0.provider.as_deref()
    }
    /// How nodes were read: snapshot, jobs or agentless.
    async fn mode(&self) -> Option<&str> {
        self.0.mode.as_deref()
    }
    /// Nodes left out of node checks, with why.
    async fn excluded_nodes(&self) -> Vec<crate::engine::report::ExcludedNode> {
        self.0
            .excluded
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok())
            .unwrap_or_default()
    }
    /// Names of the nodes scanned.
    async fn nodes(&self) -> Vec<String> {
        serde_json::from_str(&self.0.nodes).unwrap_or_default()
    }
    /// Where to download the report as CSV (same authorization as the API).
    /// Where to download the whole report as JSON (the document `cis-scan check --format json` prints).
    async fn json_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/reports/{}/json",
            state(ctx).settings.public_url.trim_end_matches('/'),
            self.0.id
        )
    }
    async fn csv_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/reports/{}/csv",
            state(ctx).settings.public_url.trim_end_matches('/'),
            self.0.id
        )
    }
    async fn summary(&self) -> Summary {
        let r = &self.0;
        Summary {
            total: r.total,
            pass: r.pass,
            fail: r.fail,
            warn: r.warn,
            skip: r.skip,
            not_applicable: r.not_applicable,
            error: r.error,
        }
    }
    /// Check results in benchmark order, optionally only some states or one section ("1", "1.2").
    #[graphql(complexity = "MAX_CHECKS * child_complexity + 1")]
    async fn results(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<CheckState>>,
        section: Option<String>,
    ) -> Result<Vec<CheckResult>> {
        principal(ctx)?;
        let states: Vec<State> = states
            .unwrap_or_default()
            .into_iter()
            .map(State::from)
            .collect();
        let key = ResultsKey::new(self.0.id, states, section);
        let rows = loaders(ctx)
            .results
            .load_one(key)
            .await
            .map_err(shared)?
            .unwrap_or_default();
        Ok(rows.iter().cloned().map(CheckResult).collect())
    }
}

/// One check of a report.
pub struct CheckResult(pub StoredCheck);

#[Object]
impl CheckResult {
    /// The benchmark's check id, e.g. 1.2.16.
    async fn id(&self) -> &str {
        &self.0.row.check_id
    }
    async fn description(&self) -> &str {
        &self.0.row.title
    }
    async fn state(&self) -> CheckState {
        State::parse(&self.0.row.state)
            .unwrap_or(State::Error)
            .into()
    }
    async fn scored(&self) -> bool {
        self.0.row.scored
    }
    /// True when cis-scan judged it; false for manual review.
    async fn automated(&self) -> bool {
        self.0.row.automated
    }
    async fn section(&self) -> &str {
        &self.0.row.section
    }
    /// master, etcd, controlplane, node or policies.
    async fn node_type(&self) -> &str {
        &self.0.row.target
    }
    async fn remediation(&self) -> &str {
        &self.0.row.remediation
    }
    /// Why the check has its state (skip reason and who skipped it, ...).
    async fn reason(&self) -> Option<&str> {
        self.0.row.reason.as_deref()
    }
    /// Per-node results (priced as NODES_ESTIMATE nodes; the response-size cap bounds larger reports).
    #[graphql(complexity = "NODES_ESTIMATE * child_complexity + 1")]
    async fn nodes(&self) -> Vec<NodeResult> {
        self.0.nodes.iter().cloned().map(NodeResult).collect()
    }
}

/// A check's result on one node.
pub struct NodeResult(pub EngineNode);

#[Object]
impl NodeResult {
    async fn node(&self) -> &str {
        &self.0.node
    }
    async fn state(&self) -> CheckState {
        self.0.state.into()
    }
    async fn actual(&self) -> &str {
        &self.0.actual
    }
    async fn expected(&self) -> &str {
        &self.0.expected
    }
    async fn source(&self) -> &str {
        &self.0.source
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

/// A test skipped for a cluster.
pub struct SkippedTest(pub skipped_test::Model);

#[Object]
impl SkippedTest {
    async fn cluster_id(&self) -> ID {
        ID(self.0.cluster_id.clone())
    }
    async fn test_id(&self) -> &str {
        &self.0.test_id
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn skipped_by(&self) -> &str {
        &self.0.created_by
    }
    async fn skipped_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
