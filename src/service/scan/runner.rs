//! Running a scan: wait for the claim, run the pipeline with the cluster's
//! stored skips, save the report, record how it ended, follow up scheduled
//! scans, and publish the final event. Cancelling goes through the scan's
//! `CancellationToken`: whatever the scan awaits is dropped at once.

use super::claim::Claim;
use super::pipeline::{self, BenchmarkRequest, Run, Step, UnknownSkips};
use super::{event, Scanner};
use crate::error::{Error, Result};
use crate::service::scan::lifecycle::{ProgressCounts, ScanPhase, ScanState};
use crate::service::skip_rules::in_force;
use crate::service::store::entity::scan;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How a scan ended.
enum Outcome {
    Saved(Uuid),
    Cancelled,
    Failed(Error),
}

impl Scanner {
    /// Runs one scan to its end: waits its turn, then gathers, evaluates and saves.
    pub(super) async fn run(self: &Arc<Self>, scan: scan::Model, cancel: CancellationToken) {
        let counts = Arc::new(Mutex::new(ProgressCounts::default()));
        let claimed = tokio::select! {
            c = self.wait_for_claim(&scan) => c,
            _ = cancel.cancelled() => Ok(Claim::Gone),
        };
        let outcome = match claimed {
            _ if cancel.is_cancelled() => Outcome::Cancelled,
            Ok(Claim::Taken) => {
                tracing::info!(scan = %scan.id, cluster = %scan.cluster_id, requested_by = %scan.requested_by, "scan started");
                let heartbeat = self.heartbeat(scan.id);
                let outcome = tokio::select! {
                    r = self.execute(&scan, counts.clone()) => match r {
                        Ok(report) => Outcome::Saved(report),
                        Err(e) => Outcome::Failed(e),
                    },
                    _ = cancel.cancelled() => Outcome::Cancelled,
                };
                heartbeat.abort();
                outcome
            }
            Ok(Claim::Gone) => {
                // cancelled elsewhere, or another replica runs it
                self.forget(scan.id);
                return;
            }
            Err(e) => {
                tracing::error!(scan = %scan.id, "cannot claim the scan: {}", e.chain());
                self.forget(scan.id);
                return;
            }
        };
        self.forget(scan.id);
        let counts = *counts.lock().unwrap_or_else(|p| p.into_inner());
        self.finish(&scan, outcome, counts).await;
    }

    /// Records the end, follows up a scheduled scan, and publishes the final event.
    async fn finish(&self, scan: &scan::Model, outcome: Outcome, counts: ProgressCounts) {
        let (state, message, report_id) = match outcome {
            Outcome::Saved(id) => (ScanState::Succeeded, "scan finished".to_string(), Some(id)),
            Outcome::Cancelled => (ScanState::Cancelled, "scan cancelled".to_string(), None),
            Outcome::Failed(e) => (ScanState::Failed, e.public_message(), None),
        };
        if state != ScanState::Succeeded {
            let recorded = async {
                self.store.record_progress(scan.id, counts).await?;
                self.store.finish_scan(scan.id, state, Some(&message)).await
            };
            if let Err(e) = recorded.await {
                tracing::error!(scan = %scan.id, "could not record the end of the scan: {}", e.chain());
            }
        }
        // retention and alerts first, so the final event means the work is done
        let follow_up = &self.config.follow_up;
        if let Some(schedule_id) = scan.schedule_id {
            if let Err(e) = follow_up
                .after_scan(&self.store, scan, schedule_id, state, &message, report_id)
                .await
            {
                tracing::error!(scan = %scan.id, "after a scheduled scan: {}", e.chain());
            }
        } else if state == ScanState::Succeeded {
            if let Err(e) = follow_up.after_manual_scan(&self.store, scan).await {
                tracing::error!(scan = %scan.id, "manual report retention: {}", e.chain());
            }
        }
        let began = self
            .store
            .scan(scan.id)
            .await
            .ok()
            .flatten()
            .and_then(|s| s.started_at);
        let seconds = began.map(|b| (chrono::Utc::now() - b).num_milliseconds() as f64 / 1000.0);
        if let (Some(seconds), true) = (seconds, state != ScanState::Cancelled) {
            self.metrics.observe_scan(&scan.cluster_id, seconds);
        }
        // one line per scan end, so an operator's log says what ran, how long and how it went
        tracing::info!(
            scan = %scan.id,
            cluster = %scan.cluster_id,
            state = state.as_str(),
            seconds = seconds.unwrap_or(0.0),
            nodes = counts.nodes_total,
            checks = counts.checks_total,
            report = ?report_id,
            "scan ended: {message}"
        );
        let mut done =
            event(scan.id, &scan.cluster_id, ScanPhase::Done, state, message).with_counts(counts);
        done.report_id = report_id.map(|r| r.to_string().into());
        self.progress.publish(done);
    }

    /// Runs the pipeline on the claimed scan and saves its report.
    async fn execute(
        self: &Arc<Self>,
        scan: &scan::Model,
        counts: Arc<Mutex<ProgressCounts>>,
    ) -> Result<Uuid> {
        let (id, cluster) = (scan.id, scan.cluster_id.clone());
        let started = chrono::Utc::now();
        let source = self
            .source(&cluster)
            .ok_or_else(|| Error::NotFound(format!("cluster '{cluster}' has no source")))?;
        // a skip that expired by now no longer applies (it stays listed)
        let skips = in_force(self.store.skipped_tests(&cluster).await?, self.clock.now())?;
        // an asked-for benchmark wins; else the cluster's stored default; else the choice
        let benchmark = match scan.benchmark.as_deref() {
            Some(b) => BenchmarkRequest::Explicit(b.to_string()),
            None => match self
                .store
                .cluster_any(&cluster)
                .await?
                .and_then(|c| c.benchmark)
            {
                Some(b) => BenchmarkRequest::ClusterDefault(b),
                None => BenchmarkRequest::Auto,
            },
        };
        let me = self.clone();
        let seen = counts.clone();
        let on_cluster = cluster.clone();
        let on_step: pipeline::OnStep = Arc::new(move |s: Step| {
            let e = event(id, &on_cluster, s.phase, ScanState::Running, s.message).with_counts(
                ProgressCounts {
                    nodes_done: s.nodes_done as i32,
                    nodes_total: s.nodes_total as i32,
                    checks_done: s.checks_done as i32,
                    checks_total: s.checks_total as i32,
                },
            );
            *seen.lock().unwrap_or_else(|p| p.into_inner()) = e.counts();
            me.progress.publish(e);
        });
        let run = Run {
            source: source.as_ref(),
            scan_id: id,
            benchmark,
            skips,
            unknown_skips: UnknownSkips::Ignore,
            on_step,
            scored_only: scan.scored_only,
        };
        let pipeline::Evaluation { report, hidden_by } =
            pipeline::run_full(&self.catalog, run).await?;
        let nodes = report.nodes.len() as i32;
        let checks = report.results.len() as i32;
        let at_saving = ProgressCounts {
            nodes_done: nodes,
            nodes_total: nodes,
            checks_done: checks,
            checks_total: checks,
        };
        *counts.lock().unwrap_or_else(|p| p.into_inner()) = at_saving;
        self.progress.publish(
            event(
                id,
                &cluster,
                ScanPhase::Saving,
                ScanState::Running,
                "saving the report",
            )
            .with_counts(at_saving),
        );
        // the counts go first: the report's save ends the scan, and a finished
        // scan's progress is read from its row
        self.store.record_progress(id, at_saving).await?;
        let report_id = self
            .store
            .save_report(id, &cluster, &report, started, scan.schedule_id, &hidden_by)
            .await?;
        Ok(report_id)
    }

    /// Drops the scan from the ones this replica waits on or runs.
    fn forget(&self, id: Uuid) {
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// Renews the claim on a running scan every third of the lease.
    fn heartbeat(self: &Arc<Self>, id: Uuid) -> tokio::task::JoinHandle<()> {
        let me = Arc::downgrade(self);
        let every = self.lease() / 3;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(me) = me.upgrade() else { return };
                if let Err(e) = me
                    .store
                    .renew_lease(id, &me.replica, me.lease_until())
                    .await
                {
                    tracing::warn!(scan = %id, "lease renewal failed: {}", e.chain());
                }
            }
        })
    }
}
