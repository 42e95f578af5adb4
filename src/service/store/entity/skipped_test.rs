//! A test skipped for a cluster: a skip, possibly expiring and limited to some nodes.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skipped_tests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cluster_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub test_id: String,
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    /// From then on the skip no longer applies (it stays listed as expired).
    pub expires_at: Option<DateTimeUtc>,
    /// The node names as a JSON array; null = every node.
    pub nodes: Option<String>,
    /// End of the last scan in which it turned a FAIL, WARN or ERROR into SKIP.
    pub last_matched_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
