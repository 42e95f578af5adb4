//! Registering and removing live clusters (administrators only).

use super::context::{principal, state};
use super::errors::gql;
use super::types::Cluster;
use async_graphql::{Context, Object, Result, ID};

/// Cluster registration mutations.
#[derive(Default)]
pub struct ClusterRegistrationMutation;

#[Object]
impl ClusterRegistrationMutation {
    /// Registers a live cluster by kubeconfig. The kubeconfig is encrypted at
    /// rest and never returned; the cluster's id is derived from its name.
    async fn register_cluster(
        &self,
        ctx: &Context<'_>,
        name: String,
        kubeconfig: String,
        context: Option<String>,
        agentless: Option<bool>,
    ) -> Result<Cluster> {
        let p = principal(ctx)?;
        let row = crate::service::cluster_registration::register(
            state(ctx),
            p,
            &name,
            &kubeconfig,
            context.as_deref(),
            agentless,
        )
        .await
        .map_err(gql)?;
        Ok(Cluster(row))
    }

    /// Removes a registered cluster and erases its credentials; its reports stay.
    async fn remove_cluster(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let p = principal(ctx)?;
        crate::service::cluster_registration::remove(state(ctx), p, &id)
            .await
            .map_err(gql)
    }
}
