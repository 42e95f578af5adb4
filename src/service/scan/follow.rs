//! Following scans: progress streams for subscriptions, and the current (or
//! final) progress of a scan for `scan { progress }`.

use super::{event, Scanner};
use crate::service::scan::lifecycle::{ProgressCounts, ScanPhase, ScanProgress};
use crate::service::store::entity::scan;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

impl Scanner {
    /// A scan's progress as a stream: its current state first, then every
    /// change; it ends after the final event. Subscribes before reading the
    /// current state so no event falls in between.
    pub async fn follow(
        self: &Arc<Self>,
        scan: scan::Model,
    ) -> impl futures_util::Stream<Item = ScanProgress> {
        let rx = self.progress.subscribe();
        let scan = self
            .store
            .scan(scan.id)
            .await
            .ok()
            .flatten()
            .unwrap_or(scan);
        let first = self.current(&scan).await;
        let id = scan.id;
        futures_util::stream::unfold(
            (Some(first), rx, false, self.clone()),
            move |(pending, mut rx, done, me)| async move {
                if done {
                    return None;
                }
                if let Some(ev) = pending {
                    let fin = ev.state.is_final();
                    return Some((ev, (None, rx, fin, me)));
                }
                loop {
                    match rx.recv().await {
                        Ok(ev) if ev.scan_uuid() == Some(id) => {
                            let fin = ev.state.is_final();
                            return Some((ev, (None, rx, fin, me)));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => {
                            // resynchronise from the latest known state
                            let scan = me.store.scan(id).await.ok().flatten()?;
                            let ev = me.current(&scan).await;
                            let fin = ev.state.is_final();
                            return Some((ev, (None, rx, fin, me)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        )
    }

    /// Every progress event of a cluster's scans from now on.
    pub fn watch_cluster(
        &self,
        cluster_id: String,
    ) -> impl futures_util::Stream<Item = ScanProgress> {
        futures_util::stream::unfold(
            (self.progress.subscribe(), cluster_id),
            |(mut rx, cluster)| async move {
                loop {
                    match rx.recv().await {
                        Ok(ev) if ev.cluster_id == cluster => return Some((ev, (rx, cluster))),
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        )
    }

    /// The current (or final) progress of a scan: the latest event while it
    /// runs here; else from its row, with the counts it ended with.
    pub async fn current(&self, scan: &scan::Model) -> ScanProgress {
        if let Some(p) = self.progress.latest(scan.id) {
            return p;
        }
        let state = scan.state;
        let phase = if state.is_final() {
            ScanPhase::Done
        } else {
            ScanPhase::Queued
        };
        let message = scan
            .message
            .clone()
            .unwrap_or_else(|| state.as_str().to_lowercase());
        let mut e =
            event(scan.id, &scan.cluster_id, phase, state, message).with_counts(ProgressCounts {
                nodes_done: scan.nodes_done.unwrap_or(0),
                nodes_total: scan.nodes_total.unwrap_or(0),
                checks_done: scan.checks_done.unwrap_or(0),
                checks_total: scan.checks_total.unwrap_or(0),
            });
        e.report_id = scan.report_id.map(|r| r.to_string().into());
        e
    }
}
