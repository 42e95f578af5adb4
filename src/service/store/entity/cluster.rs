//! A cluster known to the service.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clusters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// The source description as JSON.
    pub source: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// Encrypted kubeconfig (registered clusters only); never leaves the store unencrypted.
    pub secret: Option<String>,
    /// "config" or "api".
    pub origin: String,
    pub agentless: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
