//! Scan queries, mutations and the progress subscription.

use super::context::{principal, state, uuid};
use super::errors::gql;
use super::types::Scan;
use crate::domain::ScanProgress;
use async_graphql::{Context, Object, Result, Subscription, ID};
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

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
    /// Queues a scan of the cluster and returns it at once. The benchmark
    /// follows the cluster's Kubernetes version unless given.
    async fn run_scan(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        benchmark: Option<String>,
    ) -> Result<Scan> {
        let p = principal(ctx)?;
        let s = state(ctx)
            .scanner
            .request(&cluster_id, benchmark.as_deref(), p)
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
        let cluster = super::context::cluster_for(ctx, &cluster_id).await?.id;
        let rx = state(ctx).scanner.progress.subscribe();
        Ok(stream::unfold(
            (rx, cluster),
            |(mut rx, cluster)| async move {
                loop {
                    match rx.recv().await {
                        Ok(ev) if ev.cluster_id == cluster => return Some((ev, (rx, cluster))),
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }

    /// Progress of one scan: first its current state, then every change; the
    /// stream completes after the final event.
    async fn scan_progress(
        &self,
        ctx: &Context<'_>,
        scan_id: ID,
    ) -> Result<impl Stream<Item = ScanProgress>> {
        let p = principal(ctx)?.clone();
        let id = uuid(&scan_id, "scan")?;
        let app = state(ctx).clone();
        // subscribe before reading the current state, so no event falls between
        let rx = app.scanner.progress.subscribe();
        let scan = app.scanner.visible_scan(id, &p).await.map_err(gql)?;
        let first = app.scanner.current(&scan).await;
        let init = (Some(first), rx, false, app);
        Ok(stream::unfold(
            init,
            move |(pending, mut rx, done, app)| async move {
                if done {
                    return None;
                }
                if let Some(ev) = pending {
                    let fin = ev.state.is_final();
                    return Some((ev, (None, rx, fin, app)));
                }
                loop {
                    match rx.recv().await {
                        Ok(ev) if ev.scan_uuid() == Some(id) => {
                            let fin = ev.state.is_final();
                            return Some((ev, (None, rx, fin, app)));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => {
                            // resynchronise from the latest known state
                            let scan = app.store().scan(id).await.ok().flatten()?;
                            let ev = app.scanner.current(&scan).await;
                            let fin = ev.state.is_final();
                            return Some((ev, (None, rx, fin, app)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}
