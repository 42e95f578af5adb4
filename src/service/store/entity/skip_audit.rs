//! One entry of the skip audit trail: a skip (new or replacing) or an unskip.
use crate::service::skip_rules::SkipAction;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skip_audit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub cluster_id: String,
    pub test_id: String,
    pub action: SkipAction,
    /// A skip that replaced a skip already in place.
    pub replaced: bool,
    /// The token's name, as `skippedBy`.
    pub actor: String,
    pub at: DateTimeUtc,
    /// For a skip, the new skip; for an unskip, the one removed.
    pub reason: Option<String>,
    pub expires_at: Option<DateTimeUtc>,
    /// JSON array of node names; null = every node.
    pub nodes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
