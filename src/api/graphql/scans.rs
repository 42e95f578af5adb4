//! Scan queries, mutations and the progress subscription.

use super::context::{principal, state, uuid};
use super::errors::gql;
use super::types::Scan;
use crate::service::scan::lifecycle::ScanProgress;
use async_graphql::{Context, Object, Result, Subscription, ID};
use futures_util::stream::Stream;

/// Queries about scans.
#[derive(Default)]
pub struct ScanQuery;

#[Object]
impl ScanQuery {
    /// One scan; NOT_FOUND when unknown or not the caller's.
    async fn scan(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Scan>> {
        let p = principal(ctx)?;
        let id = uuid(&id, "scan")?;
        Ok(Some(Scan(
            state(ctx).scanner.visible_scan(id, p).await.map_err(gql)?,
        )))
    }
}

/// Scan mutations.
#[derive(Default)]
pub struct ScanMutation;

#[Object]
impl ScanMutation {
    /// Queues a scan of the cluster and returns it at once. The benchmark (or
    /// profile) given wins; else the cluster's default benchmark; else the
    /// provider and Kubernetes version decide. `scoredOnly` leaves unscored and
    /// manual checks out of the report and its summary.
    async fn run_scan(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        benchmark: Option<String>,
        scored_only: Option<bool>,
    ) -> Result<Scan> {
        let p = principal(ctx)?;
        let s = state(ctx)
            .scanner
            .request_with(
                &cluster_id,
                benchmark.as_deref(),
                scored_only.unwrap_or(false),
                p,
            )
            .await
            .map_err(gql)?;
        Ok(Scan(s))
    }

    /// Cancels a queued or running scan.
    async fn cancel_scan(&self, ctx: &Context<'_>, id: ID) -> Result<Scan> {
        let p = principal(ctx)?;
        let id = uuid(&id, "scan")?;
        Ok(Scan(state(ctx).scanner.cancel(id, p).await.map_err(gql)?))
    }
}

/// Live updates.
#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Every progress event of every scan of a cluster (scheduled ones included), from now on.
    async fn scan_events(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
    ) -> Result<impl Stream<Item = ScanProgress>> {
        let _place = super::context::setup_place(ctx).await?;
        let cluster = super::context::cluster_for(ctx, &cluster_id).await?.id;
        Ok(state(ctx).scanner.watch_cluster(cluster))
    }

    /// Progress of one scan: first its current state, then every change; the
    /// stream completes after the final event.
    async fn scan_progress(
        &self,
        ctx: &Context<'_>,
        scan_id: ID,
    ) -> Result<impl Stream<Item = ScanProgress>> {
        let p = principal(ctx)?;
        let id = uuid(&scan_id, "scan")?;
        let _place = super::context::setup_place(ctx).await?;
        let scanner = &state(ctx).scanner;
        let scan = scanner.visible_scan(id, p).await.map_err(gql)?;
        Ok(scanner.follow(scan).await)
    }
}
