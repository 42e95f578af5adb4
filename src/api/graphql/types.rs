//! GraphQL output types, built from database rows (kept apart from the entities).

pub use super::check_state::CheckState;
use super::context::{principal, state};
use super::errors::gql;
use super::loaders::{shared, Loaders};
pub use super::paging::{MAX_CHECKS, NODES_ESTIMATE};
pub use super::report_types::{Report, Summary};
use crate::service::scan::lifecycle::{ScanProgress, ScanState};
use crate::service::store::entity::cluster::ClusterOrigin;
use crate::service::store::entity::{cluster, scan};
use crate::sources::SourceKind;
use async_graphql::{Context, Enum, Object, Result, ID};
use chrono::{DateTime, Utc};

pub use super::paging::LIST_ESTIMATE;
pub use super::skipped_test::SkippedTest;

fn loaders<'a>(ctx: &'a Context<'_>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
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
        Ok(principal(ctx)?
            .may_see_sources()
            .then_some(self.0.source.as_str()))
    }
    /// The newest report, if any.
    async fn latest_report(&self, ctx: &Context<'_>) -> Result<Option<Report>> {
        let Some(row) = loaders(ctx)
            .latest
            .load_one(self.0.id.clone())
            .await
            .map_err(shared)?
        else {
            return Ok(None);
        };
        Ok(Some(Report(state(ctx).reports.remember(row).map_err(gql)?)))
    }
    /// Tests skipped for this cluster.
    #[graphql(complexity = "LIST_ESTIMATE * child_complexity + 1")]
    async fn skipped_tests(&self, ctx: &Context<'_>) -> Result<Vec<SkippedTest>> {
        let rows = state(ctx)
            .store()
            .skipped_tests(&self.0.id)
            .await
            .map_err(gql)?;
        super::cost::charge_list(ctx, rows.len(), LIST_ESTIMATE)?;
        Ok(rows.into_iter().map(SkippedTest).collect())
    }
    /// The audit trail of this cluster's skips, as `skipAudit(clusterId)`.
    #[graphql(
        complexity = "super::paging::list_cost(first, 20, super::skips::MAX_PAGE as usize, child_complexity)"
    )]
    async fn skip_audit(
        &self,
        ctx: &Context<'_>,
        test_id: Option<String>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<async_graphql::connection::Connection<String, super::skips::SkipAuditEntry>> {
        super::skips::audit_page(ctx, &self.0.id, test_id.as_deref(), first, after).await
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
            .reports
            .header(id)
            .await
            .map_err(gql)?
            .map(Report))
    }
    /// The latest progress event.
    async fn progress(&self, ctx: &Context<'_>) -> ScanProgress {
        state(ctx).scanner.current(&self.0).await
    }
}
