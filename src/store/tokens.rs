//! API tokens, stored as SHA-256 hashes.

use super::entity::token;
use super::Store;
use crate::error::Result;
use sea_orm::*;
use uuid::Uuid;

impl Store {
    /// Stores a token hash with its role.
    pub async fn insert_token(
        &self,
        hash: &str,
        role: &str,
        cluster_id: Option<&str>,
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        token::ActiveModel {
            id: Set(id),
            hash: Set(hash.to_string()),
            role: Set(role.to_string()),
            cluster_id: Set(cluster_id.map(str::to_string)),
            description: Set(None),
            created_at: Set(chrono::Utc::now()),
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

    /// How many tokens exist (none: the first start prints how to make one).
    pub async fn token_count(&self) -> Result<u64> {
        Ok(token::Entity::find().count(&self.db).await?)
    }
}
