//! An API token; only its SHA-256 hash is kept.
use sea_orm::entity::prelude::*;

/// What a token may do. Stored as "admin" / "owner"; any other stored value
/// fails to load instead of being guessed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    /// Every cluster.
    #[sea_orm(string_value = "admin")]
    Admin,
    /// One cluster (`cluster_id`).
    #[sea_orm(string_value = "owner")]
    Owner,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

/// A token row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub hash: String,
    pub role: Role,
    /// The cluster of an owner token.
    pub cluster_id: Option<String>,
    /// A label chosen at creation ("ci", "grafana"), shown by `token list`.
    pub name: Option<String>,
    pub created_at: DateTimeUtc,
    /// After this the token is refused.
    pub expires_at: Option<DateTimeUtc>,
    /// Set once by `token revoke`; the token is refused from then on.
    pub revoked_at: Option<DateTimeUtc>,
    /// Updated at most once a minute per replica, not on every request.
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
