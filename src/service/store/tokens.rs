//! API tokens, stored as SHA-256 hashes.

use super::entity::token::{self, Role};
use super::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::*;
use uuid::Uuid;

/// What a new token row holds besides its hash.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub role: Role,
    /// The cluster of an owner token.
    pub cluster_id: Option<String>,
    pub name: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What revoking found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// Revoked now.
    Now,
    /// It had been revoked already, at this time.
    Already(DateTime<Utc>),
    /// No token has this id.
    Unknown,
}

impl Store {
    /// Stores a token hash with its role, name and expiry.
    pub async fn insert_token(&self, hash: &str, new: NewToken) -> Result<Uuid> {
        let id = Uuid::new_v4();
        token::ActiveModel {
            id: Set(id),
            hash: Set(hash.to_string()),
            role: Set(new.role),
            cluster_id: Set(new.cluster_id),
            name: Set(new.name),
            created_at: Set(Utc::now()),
            expires_at: Set(new.expires_at),
            revoked_at: Set(None),
            last_used_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(id)
    }

    /// The token with this hash.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<token::Model>> {
        Ok(token::Entity::find()
            .filter(token::Column::Hash.eq(hash))
            .one(&self.db)
            .await?)
    }

    /// The token with this id.
    pub async fn token(&self, id: Uuid) -> Result<Option<token::Model>> {
        Ok(token::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Every token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<token::Model>> {
        Ok(token::Entity::find()
            .order_by_asc(token::Column::CreatedAt)
            .order_by_asc(token::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Marks a token revoked; a second revocation keeps the first time.
    pub async fn revoke_token(&self, id: Uuid) -> Result<Revoked> {
        // the filter makes concurrent revocations agree on one time
        let done = token::Entity::update_many()
            .col_expr(token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(token::Column::Id.eq(id))
            .filter(token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        if done.rows_affected > 0 {
            return Ok(Revoked::Now);
        }
        Ok(match self.token(id).await? {
            Some(t) => Revoked::Already(t.revoked_at.unwrap_or_else(Utc::now)),
            None => Revoked::Unknown,
        })
    }

    /// Sets (or clears) a token's expiry.
    pub async fn set_token_expiry(&self, id: Uuid, at: Option<DateTime<Utc>>) -> Result<()> {
        token::Entity::update_many()
            .col_expr(token::Column::ExpiresAt, Expr::value(at))
            .filter(token::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records when a token was last used.
    pub async fn touch_token(&self, id: Uuid, at: DateTime<Utc>) -> Result<()> {
        token::Entity::update_many()
            .col_expr(token::Column::LastUsedAt, Expr::value(at))
            .filter(token::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes a token row.
    pub async fn delete_token(&self, id: Uuid) -> Result<bool> {
        let r = token::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(r.rows_affected > 0)
    }

    /// How many tokens exist (none: the first start prints how to make one).
    pub async fn token_count(&self) -> Result<u64> {
        Ok(token::Entity::find().count(&self.db).await?)
    }
}
