//! Cluster rows.

use super::entity::cluster::{self, ClusterOrigin};
use super::Store;
use crate::error::Result;
use sea_orm::sea_query::OnConflict;
use sea_orm::*;

impl Store {
    /// Inserts or updates a configured cluster and marks it active.
    pub async fn upsert_cluster(&self, id: &str, name: &str, source: &str) -> Result<()> {
        self.upsert_configured_cluster(id, name, source, None).await
    }

    /// Inserts or updates a configured cluster with the default benchmark its
    /// configuration names (none clears it: the configuration is the truth).
    pub async fn upsert_configured_cluster(
        &self,
        id: &str,
        name: &str,
        source: &str,
        benchmark: Option<&str>,
    ) -> Result<()> {
        let row = cluster::ActiveModel {
            id: Set(id.to_string()),
            name: Set(name.to_string()),
            source: Set(source.to_string()),
            active: Set(true),
            created_at: Set(chrono::Utc::now()),
            secret: Set(None),
            origin: Set(ClusterOrigin::Config),
            agentless: Set(false),
            benchmark: Set(benchmark.map(str::to_string)),
        };
        cluster::Entity::insert(row)
            .on_conflict(
                OnConflict::column(cluster::Column::Id)
                    .update_columns([
                        cluster::Column::Name,
                        cluster::Column::Source,
                        cluster::Column::Active,
                        cluster::Column::Origin,
                        cluster::Column::Secret,
                        cluster::Column::Benchmark,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records a cluster registered through the API, with its sealed kubeconfig.
    pub async fn insert_registered_cluster(
        &self,
        id: &str,
        name: &str,
        source: &str,
        secret: &str,
        agentless: bool,
    ) -> Result<cluster::Model> {
        let row = cluster::ActiveModel {
            id: Set(id.to_string()),
            name: Set(name.to_string()),
            source: Set(source.to_string()),
            active: Set(true),
            created_at: Set(chrono::Utc::now()),
            secret: Set(Some(secret.to_string())),
            origin: Set(ClusterOrigin::Api),
            agentless: Set(agentless),
            benchmark: Set(None),
        };
        Ok(row.insert(&self.db).await?)
    }

    /// Any cluster row with this id, active or not.
    pub async fn cluster_any(&self, id: &str) -> Result<Option<cluster::Model>> {
        Ok(cluster::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await?)
    }

    /// Removes a registered cluster: it stops being listed and its credentials are erased; its reports stay.
    pub async fn remove_registered_cluster(&self, id: &str) -> Result<bool> {
        let r = cluster::Entity::update_many()
            .col_expr(
                cluster::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .col_expr(
                cluster::Column::Secret,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(cluster::Column::Id.eq(id))
            .filter(cluster::Column::Origin.eq(ClusterOrigin::Api))
            .filter(cluster::Column::Active.eq(true))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Active clusters registered through the API.
    pub async fn registered_clusters(&self) -> Result<Vec<cluster::Model>> {
        Ok(cluster::Entity::find()
            .filter(cluster::Column::Active.eq(true))
            .filter(cluster::Column::Origin.eq(ClusterOrigin::Api))
            .all(&self.db)
            .await?)
    }

    /// Marks clusters that are no longer configured inactive; their reports stay.
    pub async fn deactivate_other_clusters(&self, keep: &[String]) -> Result<()> {
        cluster::Entity::update_many()
            .col_expr(
                cluster::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .filter(cluster::Column::Id.is_not_in(keep.iter().cloned()))
            .filter(cluster::Column::Origin.eq("config"))
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

    /// How bad each cluster's newest report is, as `(fail + error, warn)`, reading
    /// only those columns: one query per 500 clusters. Clusters without a report
    /// are absent. Twins made in the same instant: the larger id wins.
    pub async fn latest_badness(
        &self,
        cluster_ids: &[String],
    ) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        use super::entity::report;
        let mut out: std::collections::HashMap<String, (uuid::Uuid, i64, i64)> = Default::default();
        for chunk in cluster_ids.chunks(500) {
            let Some(which) = self.newest_condition(chunk, None).await? else {
                continue;
            };
            let rows: Vec<(String, uuid::Uuid, i32, i32, i32)> = report::Entity::find()
                .select_only()
                .column(report::Column::ClusterId)
                .column(report::Column::Id)
                .column(report::Column::Fail)
                .column(report::Column::Error)
                .column(report::Column::Warn)
                .filter(which)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (cluster, id, fail, error, warn) in rows {
                if out.get(&cluster).is_none_or(|have| have.0 < id) {
                    out.insert(
                        cluster,
                        (id, i64::from(fail) + i64::from(error), i64::from(warn)),
                    );
                }
            }
        }
        Ok(out
            .into_iter()
            .map(|(c, (_, bad, warn))| (c, (bad, warn)))
            .collect())
    }

    /// One active cluster.
    pub async fn cluster(&self, id: &str) -> Result<Option<cluster::Model>> {
        Ok(self.clusters(Some(id)).await?.into_iter().next())
    }

    /// Sets (or clears) a cluster's default benchmark.
    pub async fn set_cluster_benchmark(&self, id: &str, benchmark: Option<&str>) -> Result<()> {
        cluster::Entity::update_many()
            .col_expr(
                cluster::Column::Benchmark,
                sea_orm::sea_query::Expr::value(benchmark.map(str::to_string)),
            )
            .filter(cluster::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
