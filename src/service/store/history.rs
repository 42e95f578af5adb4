//! Queries behind report history: a report's predecessor and a cluster's latest reports.

use super::entity::report;
use super::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::*;
use uuid::Uuid;

impl Store {
    /// The cluster's report just before (`created_at`, `id`), ordered as the report list is.
    pub async fn previous_report(
        &self,
        cluster_id: &str,
        created_at: DateTime<Utc>,
        id: Uuid,
    ) -> Result<Option<report::Model>> {
        Ok(report::Entity::find()
            .filter(report::Column::ClusterId.eq(cluster_id))
            .filter(
                Condition::any()
                    .add(report::Column::CreatedAt.lt(created_at))
                    .add(
                        Condition::all()
                            .add(report::Column::CreatedAt.eq(created_at))
                            .add(report::Column::Id.lt(id)),
                    ),
            )
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .one(&self.db)
            .await?)
    }

    /// The cluster's `last` newest reports, newest first.
    pub async fn recent_reports(&self, cluster_id: &str, last: u64) -> Result<Vec<report::Model>> {
        Ok(report::Entity::find()
            .filter(report::Column::ClusterId.eq(cluster_id))
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .limit(last)
            .all(&self.db)
            .await?)
    }
}
