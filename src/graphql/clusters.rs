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
    async fn clusters(&self, ctx: &Context<'_>) -> Result<Vec<Cluster>> {
        let p = principal(ctx)?;
        Ok(state(ctx)
            .store()
            .clusters(p.only_cluster())
            .await
            .map_err(gql)?
            .into_iter()
            .map(Cluster)
            .collect())
    }

    /// One cluster; null when it does not exist or is not the caller's.
    async fn cluster(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cluster>> {
        principal(ctx)?;
        match cluster_for(ctx, &id).await {
            Ok(c) => Ok(Some(Cluster(c))),
            Err(e)
                if e.extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .is_some_and(|c| c.to_string().contains("NOT_FOUND")) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}
