//! A scan request and its lifecycle.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cluster_id: String,
    pub benchmark: Option<String>,
    pub state: crate::service::scan::lifecycle::ScanState,
    pub message: Option<String>,
    pub requested_by: String,
    pub report_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// The schedule that queued it, if any.
    pub schedule_id: Option<Uuid>,
    /// The replica running it, and until when its claim holds without a heartbeat.
    pub claimed_by: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Progress counts as the scan ended (nodes and checks done of total),
    /// so a finished scan's progress shows them, not 0/0.
    pub nodes_done: Option<i32>,
    pub nodes_total: Option<i32>,
    pub checks_done: Option<i32>,
    pub checks_total: Option<i32>,
    /// Leave unscored and manual checks out of the report.
    pub scored_only: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
