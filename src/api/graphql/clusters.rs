//! Cluster queries.

use super::context::{cluster_for, principal, state};
use super::errors::gql;
use super::paging::list_cost;
use super::types::Cluster;
use crate::service::cluster_list::{ClusterListing, DEFAULT_PAGE, MAX_PAGE};
use async_graphql::{Context, Object, Result, ID};

/// The listing the arguments ask for; BAD_USER_INPUT when out of bounds.
fn listing(
    first: Option<i32>,
    offset: Option<i32>,
    worst_first: bool,
    search: Option<String>,
) -> Result<ClusterListing> {
    let first = first.unwrap_or(DEFAULT_PAGE as i32);
    let offset = offset.unwrap_or(0);
    if first < 1 || offset < 0 {
        return Err(gql(crate::Error::Invalid(format!(
            "first must be between 1 and {MAX_PAGE} and offset must not be negative"
        ))));
    }
    ClusterListing {
        first: first as usize,
        offset: offset as usize,
        worst_first,
        search,
    }
    .checked()
    .map_err(gql)
}

/// Queries about clusters.
#[derive(Default)]
pub struct ClusterQuery;

#[Object]
impl ClusterQuery {
    /// Clusters the caller may see, `first` (1 to 500, default 100) after `offset`:
    /// in id order, or worst first (most failures and errors in the newest report,
    /// then most warnings, then by name; clusters without a report last). `search`
    /// keeps those whose name or id contains it, ignoring case (at most 100
    /// characters). `clusterCount` says how many match in all.
    /// Cost: `first` times the fields asked per cluster.
    #[graphql(complexity = "list_cost(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn clusters(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: Option<i32>,
        #[graphql(default = 0)] offset: Option<i32>,
        #[graphql(default = false)] worst_first: bool,
        search: Option<String>,
    ) -> Result<Vec<Cluster>> {
        let listing = listing(first, offset, worst_first, search)?;
        let p = principal(ctx)?;
        let page = state(ctx)
            .visible_clusters(&listing, p)
            .await
            .map_err(gql)?;
        Ok(page.clusters.into_iter().map(Cluster).collect())
    }

    /// How many clusters the caller may see, of those `search` keeps (as `clusters`).
    async fn cluster_count(&self, ctx: &Context<'_>, search: Option<String>) -> Result<i32> {
        let listing = listing(Some(1), Some(0), false, search)?;
        let p = principal(ctx)?;
        let page = state(ctx)
            .visible_clusters(&listing, p)
            .await
            .map_err(gql)?;
        Ok(i32::try_from(page.total).unwrap_or(i32::MAX))
    }

    /// One cluster; NOT_FOUND when it does not exist or is not the caller's.
    async fn cluster(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cluster>> {
        Ok(Some(Cluster(cluster_for(ctx, &id).await?)))
    }
}
