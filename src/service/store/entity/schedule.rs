//! A scan schedule.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cluster_id: String,
    /// As the user wrote it (5 or 6 fields).
    pub cron: String,
    pub timezone: String,
    pub retention: i32,
    pub benchmark: Option<String>,
    pub alert_on_failure: bool,
    pub alert_on_complete: bool,
    pub enabled: bool,
    pub next_run_at: DateTimeUtc,
    pub last_run_at: Option<DateTimeUtc>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    /// Its scans leave unscored and manual checks out.
    pub scored_only: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
