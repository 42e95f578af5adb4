//! Cluster queries.

use super::context::{cluster_for, principal, state};
use super::errors::gql;
use super::types::Cluster;
use async_graphql::{Context, Object, Result, ID};

/// Queries about clusters.
#[derive(Default)]
pub struct ClusterQuery;

#[Object]
impl ClusterQuery {
    /// Clusters the caller may see.
    #[graphql(complexity = "super::types::LIST_ESTIMATE * child_complexity + 1")]
    async fn clusters(&self, ctx: &Context<'_>) -> Result<Vec<Cluster>> {
        let p = principal(ctx)?;
        let rows = state(ctx)
            .store()
            .clusters(p.only_cluster())
            .await
            .map_err(gql)?;
        super::cost::charge_list(ctx, rows.len(), super::types::LIST_ESTIMATE)?;
        Ok(rows.into_iter().map(Cluster).collect())
    }

    /// One cluster; NOT_FOUND when it does not exist or is not the caller's.
    async fn cluster(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cluster>> {
        Ok(Some(Cluster(cluster_for(ctx, &id).await?)))
    }
}
