//! Skipped tests per cluster.

use super::entity::skipped_test;
use super::Store;
use crate::error::Result;
use sea_orm::sea_query::OnConflict;
use sea_orm::*;

impl Store {
    /// Skips a test for a cluster (updating the reason if already skipped).
    pub async fn skip_test(
        &self,
        cluster_id: &str,
        test_id: &str,
        reason: Option<&str>,
        by: &str,
    ) -> Result<skipped_test::Model> {
        let row = skipped_test::ActiveModel {
            cluster_id: Set(cluster_id.to_string()),
            test_id: Set(test_id.to_string()),
            reason: Set(reason.map(str::to_string)),
            created_by: Set(by.to_string()),
            created_at: Set(chrono::Utc::now()),
        };
        skipped_test::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    skipped_test::Column::ClusterId,
                    skipped_test::Column::TestId,
                ])
                .update_columns([
                    skipped_test::Column::Reason,
                    skipped_test::Column::CreatedBy,
                    skipped_test::Column::CreatedAt,
                ])
                .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(
            skipped_test::Entity::find_by_id((cluster_id.to_string(), test_id.to_string()))
                .one(&self.db)
                .await?
                .expect("row just written"),
        )
    }

    /// Removes a skip. False when the test was not skipped.
    pub async fn unskip_test(&self, cluster_id: &str, test_id: &str) -> Result<bool> {
        let r = skipped_test::Entity::delete_by_id((cluster_id.to_string(), test_id.to_string()))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// A cluster's skipped tests.
    pub async fn skipped_tests(&self, cluster_id: &str) -> Result<Vec<skipped_test::Model>> {
        Ok(skipped_test::Entity::find()
            .filter(skipped_test::Column::ClusterId.eq(cluster_id))
            .order_by_asc(skipped_test::Column::TestId)
            .all(&self.db)
            .await?)
    }
}
