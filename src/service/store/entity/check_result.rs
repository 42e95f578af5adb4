//! One check of a report, with its per-node results as JSON.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: Uuid,
    pub position: i32,
    pub check_id: String,
    pub title: String,
    pub section: String,
    pub target: String,
    pub state: String,
    pub scored: bool,
    pub automated: bool,
    pub rule: String,
    pub remediation: String,
    pub reason: Option<String>,
    pub nodes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
