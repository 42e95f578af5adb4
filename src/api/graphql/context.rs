//! What resolvers take from the request context.

use super::errors::{coded, gql};
use crate::error::shown;
use crate::service::auth::Refusal;
use crate::service::principal::Principal;
use crate::service::report_view::ReportHeader;
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

/// Admits a subscription's set-up into its client's share. Over websockets a
/// subscription is not held in the share for its whole life (it mostly waits for
/// events), so its set-up reads take a place of their own: a hundred
/// subscriptions opened at once wait their turn instead of taking every database
/// connection (the websocket layer puts one in the request; none elsewhere).
pub trait SetupAdmission: Send + Sync {
    /// A place held until dropped, or why the client has none now.
    fn admit(&self) -> futures_util::future::BoxFuture<'static, Result<Box<dyn Send>, String>>;
}

/// The request's [`SetupAdmission`], in the request data.
#[derive(Clone)]
pub struct SetupShare(pub Arc<dyn SetupAdmission>);

/// A place for a subscription's set-up, held until dropped; `None` where the
/// request is not a websocket's. BAD_USER_INPUT when the client is busy.
pub async fn setup_place(ctx: &Context<'_>) -> Result<Option<Box<dyn Send>>> {
    match ctx.data_opt::<SetupShare>() {
        Some(share) => share
            .0
            .admit()
            .await
            .map(Some)
            .map_err(|busy| coded("BAD_USER_INPUT", busy)),
        None => Ok(None),
    }
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

/// The report `id` names when the caller may see it; BAD_USER_INPUT for an id
/// that is not one, NOT_FOUND when unknown or not the caller's.
pub async fn report_for(ctx: &Context<'_>, id: &ID) -> Result<Arc<ReportHeader>> {
    let p = principal(ctx)?;
    let id = uuid(id, "report")?;
    state(ctx).visible_report(id, p).await.map_err(gql)
}

/// Checks that the caller may see a cluster that exists; NOT_FOUND otherwise.
pub async fn cluster_for(
    ctx: &Context<'_>,
    cluster_id: &str,
) -> Result<crate::service::store::entity::cluster::Model> {
    let p = principal(ctx)?;
    state(ctx).visible_cluster(cluster_id, p).await.map_err(gql)
}
