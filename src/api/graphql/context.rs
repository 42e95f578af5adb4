//! What resolvers take from the request context.

use super::errors::{coded, gql};
use crate::error::shown;
use crate::service::auth::Refusal;
use crate::service::domain::Principal;
use crate::service::Service;
use async_graphql::{Context, Result, ID};
use std::sync::Arc;
use uuid::Uuid;

/// The caller, or UNAUTHENTICATED saying why the request has none: the
/// HTTP and websocket layers put either a `Principal` or a `Refusal` in the request.
pub fn principal<'a>(ctx: &'a Context<'_>) -> Result<&'a Principal> {
    ctx.data_opt::<Principal>().ok_or_else(|| {
        let why = ctx
            .data_opt::<Refusal>()
            .copied()
            .unwrap_or(Refusal::Missing);
        gql(crate::Error::Unauthenticated(why))
    })
}

/// The app state.
pub fn state<'a>(ctx: &'a Context<'_>) -> &'a Arc<Service> {
    ctx.data_unchecked::<Arc<Service>>()
}

/// Parses an id argument that must be a UUID.
pub fn uuid(id: &ID, what: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| {
        coded(
            "BAD_USER_INPUT",
            format!("'{}' is not a valid {what} id", shown(id.as_str())),
        )
    })
}

/// Checks that the caller may see a cluster that exists; NOT_FOUND otherwise.
pub async fn cluster_for(
    ctx: &Context<'_>,
    cluster_id: &str,
) -> Result<crate::service::store::entity::cluster::Model> {
    let p = principal(ctx)?;
    let c = if p.can_access(cluster_id) {
        state(ctx).store().cluster(cluster_id).await.map_err(gql)?
    } else {
        None
    };
    c.ok_or_else(|| coded("NOT_FOUND", format!("no cluster '{}'", shown(cluster_id))))
}
