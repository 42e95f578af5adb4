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
    /// Where the cluster was declared.
    pub origin: ClusterOrigin,
    pub agentless: bool,
    /// The benchmark (or profile) this cluster's scans use unless one is asked for.
    pub benchmark: Option<String>,
}

/// Where a cluster was declared; stored as text, an unknown value is a database error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ClusterOrigin {
    /// The configuration file (or clusters given in code).
    #[sea_orm(string_value = "config")]
    Config,
    /// Registered through the API.
    #[sea_orm(string_value = "api")]
    Api,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
