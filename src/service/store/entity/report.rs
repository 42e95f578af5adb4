//! A finished scan's report header and summary.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cluster_id: String,
    pub scan_id: Uuid,
    pub benchmark: String,
    pub benchmark_title: String,
    pub kubernetes_version: Option<String>,
    pub state: String,
    /// Node names as a JSON array.
    pub nodes: String,
    pub total: i32,
    pub pass: i32,
    pub fail: i32,
    pub warn: i32,
    pub skip: i32,
    pub not_applicable: i32,
    pub error: i32,
    pub started_at: DateTimeUtc,
    pub finished_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub provider: Option<String>,
    /// "snapshot", "jobs" or "agentless".
    pub mode: Option<String>,
    /// Nodes left out, as a JSON array of {node, reason}.
    pub excluded: Option<String>,
    /// The schedule whose scan wrote it (retention applies only to these).
    pub schedule_id: Option<Uuid>,
    /// Why this benchmark was chosen ("cis-1.11 for Kubernetes 1.30"); null for
    /// reports saved before it was recorded.
    pub benchmark_reason: Option<String>,
    /// True when unscored and manual checks were left out.
    pub scored_only: bool,
    /// Every check's state in benchmark order, compact (see
    /// `store::check_states`), for the fleet; null for reports saved before it.
    pub check_states: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
