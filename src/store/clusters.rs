//! Cluster rows.

use super::entity::cluster;
use super::Store;
use crate::error::Result;
use sea_orm::sea_query::OnConflict;
use sea_orm::*;

impl Store {
    /// Inserts or updates a configured cluster and marks it active.
    pub async fn upsert_cluster(&self, id: &str, name: &str, source: &str) -> Result<()> {
        let row = cluster::ActiveModel {
            id: Set(id.to_string()),
            name: Set(name.to_string()),
            source: Set(source.to_string()),
            active: Set(true),
            created_at: Set(chrono::Utc::now()),
        };
        cluster::Entity::insert(row)
            .on_conflict(
                OnConflict::column(cluster::Column::Id)
                    .update_columns([
                        cluster::Column::Name,
                        cluster::Column::Source,
                        cluster::Column::Active,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Marks clusters that are no longer configured inactive; their reports stay.
    pub async fn deactivate_other_clusters(&self, keep: &[String]) -> Result<()> {
        cluster::Entity::update_many()
            .col_expr(
                cluster::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .filter(cluster::Column::Id.is_not_in(keep.iter().cloned()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Active clusters, optionally only one.
    pub async fn clusters(&self, only: Option<&str>) -> Result<Vec<cluster::Model>> {
        let mut q = cluster::Entity::find().filter(cluster::Column::Active.eq(true));
        if let Some(id) = only {
            q = q.filter(cluster::Column::Id.eq(id));
        }
        Ok(q.order_by_asc(cluster::Column::Id).all(&self.db).await?)
    }

    /// One active cluster.
    pub async fn cluster(&self, id: &str) -> Result<Option<cluster::Model>> {
        Ok(self.clusters(Some(id)).await?.into_iter().next())
    }
}
