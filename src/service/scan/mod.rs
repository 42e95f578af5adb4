//! Scans: the one entry point used by the API, the scheduler and tests.
//! A scan is queued, waits for its cluster (one scan per cluster at a time,
//! in order), gathers node facts, evaluates, and saves one report.

mod leftovers;
mod progress;
pub mod relay;

pub use progress::{event, ProgressHub};

use crate::engine::benchmark::Catalog;
use crate::engine::report::Skip;
use crate::error::{Error, Result};
use crate::service::domain::{Principal, ScanPhase, ScanProgress, ScanState};
use crate::service::store::{entity::scan, Store};
use crate::sources::ClusterSource;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Runs scans; lives in app state.
pub struct Scanner {
    pub store: Store,
    /// This process's name in claims (ticks, scans).
    pub replica: String,
    pub catalog: Arc<Catalog>,
    pub progress: ProgressHub,
    sources: RwLock<HashMap<String, Arc<dyn ClusterSource>>>,
    cluster_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    cancels: Mutex<HashMap<Uuid, CancellationToken>>,
    /// Serialises scan requests, so a queued scan is found before another is queued.
    requests: tokio::sync::Mutex<()>,
    /// Alerts and links for scheduled scans; set once at start-up.
    hooks: std::sync::OnceLock<Hooks>,
    halt: CancellationToken,
    lease_ms: std::sync::atomic::AtomicU64,
    pub metrics: crate::service::metrics::Metrics,
}

/// What the scanner needs from the configuration after a scheduled scan.
#[derive(Debug, Clone)]
pub struct Hooks {
    pub alerts: crate::service::alerts::Alerts,
    pub public_url: String,
}

impl Scanner {
    /// A scanner with no clusters yet.
    pub fn new(store: Store, catalog: Arc<Catalog>) -> Arc<Self> {
        Arc::new(Scanner {
            store,
            replica: format!(
                "{}-{}",
                std::process::id(),
                &Uuid::new_v4().simple().to_string()[..8]
            ),
            catalog,
            progress: ProgressHub::default(),
            sources: RwLock::new(HashMap::new()),
            cluster_locks: Mutex::new(HashMap::new()),
            cancels: Mutex::new(HashMap::new()),
            requests: tokio::sync::Mutex::new(()),
            hooks: std::sync::OnceLock::new(),
            halt: CancellationToken::new(),
            lease_ms: std::sync::atomic::AtomicU64::new(30_000),
            metrics: Default::default(),
        })
    }

    /// Sets alert delivery and links (once, at start-up).
    pub fn set_hooks(&self, hooks: Hooks) {
        let _ = self.hooks.set(hooks);
    }

    /// Makes a cluster scannable through `source`.
    pub fn register(&self, cluster_id: &str, source: Arc<dyn ClusterSource>) {
        self.sources
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(cluster_id.to_string(), source);
    }

    /// Stops scanning a cluster.
    pub fn unregister(&self, cluster_id: &str) {
        self.sources
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(cluster_id);
    }

    /// The source of a registered cluster.
    pub fn source(&self, cluster_id: &str) -> Option<Arc<dyn ClusterSource>> {
        self.sources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(cluster_id)
            .cloned()
    }

    /// Queues a scan and starts it in the background; returns it at once. A cluster
    /// that already has a scan waiting gets no second one: that scan is returned.
    pub async fn request(
        self: &Arc<Self>,
        cluster_id: &str,
        benchmark: Option<&str>,
        by: &Principal,
    ) -> Result<scan::Model> {
        if !by.can_access(cluster_id)
            || self.store.cluster(cluster_id).await?.is_none()
            || self.source(cluster_id).is_none()
        {
            return Err(Error::NotFound(format!("no cluster '{cluster_id}'")));
        }
        if let Some(b) = benchmark {
            self.catalog
                .get(b)
                .map_err(|e| Error::Invalid(e.to_string()))?;
        }
        // one request at a time per replica, so two clicks cannot both find no queued scan
        let _one = self.requests.lock().await;
        if let Some(waiting) = self.store.queued_scan_of(cluster_id).await? {
            return Ok(waiting);
        }
        let scan = self
            .store
            .insert_scan(cluster_id, benchmark, &by.name(), None)
            .await?;
        self.spawn(scan.clone());
        Ok(scan)
    }

    /// Queues a scan for a schedule.
    pub async fn request_scheduled(
        self: &Arc<Self>,
        cluster_id: &str,
        benchmark: Option<&str>,
        schedule_id: Uuid,
    ) -> Result<scan::Model> {
        if self.source(cluster_id).is_none() {
            return Err(Error::NotFound(format!(
                "cluster '{cluster_id}' cannot be scanned"
            )));
        }
        let by = format!("schedule:{}", &schedule_id.to_string()[..8]);
        let scan = self
            .store
            .insert_scan(cluster_id, benchmark, &by, Some(schedule_id))
            .await?;
        self.spawn(scan.clone());
        Ok(scan)
    }

    /// Runs a queued scan on a background task.
    pub fn spawn(self: &Arc<Self>, scan: scan::Model) {
        let token = CancellationToken::new();
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(scan.id, token.clone());
        self.progress.publish(event(
            scan.id,
            &scan.cluster_id,
            ScanPhase::Queued,
            ScanState::Queued,
            "waiting for the cluster",
        ));
        let me = self.clone();
        tokio::spawn(async move {
            me.run(scan, token).await;
        });
    }

    /// Runs one scan to its end: waits its turn, then gathers, evaluates and saves.
    pub async fn run(self: &Arc<Self>, scan: scan::Model, cancel: CancellationToken) {
        let lock = {
            let mut locks = self.cluster_locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(scan.cluster_id.clone()).or_default().clone()
        };
        // tokio's Mutex is fair: scans of one cluster run in the order they were queued
        let guard = tokio::select! {
            g = lock.lock() => Some(g),
            _ = cancel.cancelled() => None,
        };
        let outcome = match guard {
            None => Err(End::Cancelled),
            Some(_g) => {
                // another replica may be scanning this cluster: wait for it
                loop {
                    if !self
                        .store
                        .cluster_busy(&scan.cluster_id, scan.id)
                        .await
                        .unwrap_or(false)
                    {
                        break;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(self.lease() / 3) => {}
                        _ = cancel.cancelled() => break,
                        _ = self.halt.cancelled() => return,
                    }
                }
                // claim it in the database: with several replicas only one runs it
                let claimed = self
                    .store
                    .start_scan(scan.id, &self.replica, self.lease_until())
                    .await;
                match claimed {
                    Ok(true) => {}
                    Ok(false) => {
                        self.cancels
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&scan.id);
                        return; // cancelled meanwhile, or another replica has it
                    }
                    Err(e) => {
                        tracing::error!(scan = %scan.id, "cannot claim the scan: {e}");
                        self.cancels
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&scan.id);
                        return;
                    }
                }
                let heartbeat = self.heartbeat(scan.id);
                let r = tokio::select! {
                    r = self.execute(&scan) => r.map_err(End::Failed),
                    _ = cancel.cancelled() => Err(End::Cancelled),
                    // the process is going away as if it crashed: record nothing
                    _ = self.halt.cancelled() => Err(End::Halted),
                };
                heartbeat.abort();
                r
            }
        };
        if matches!(outcome, Err(End::Halted)) {
            return;
        }
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&scan.id);
        let (state, message, report_id) = match outcome {
            Ok(report_id) => (
                ScanState::Succeeded,
                "scan finished".to_string(),
                Some(report_id),
            ),
            Err(End::Cancelled) => (ScanState::Cancelled, "scan cancelled".to_string(), None),
            Err(End::Failed(e)) => (ScanState::Failed, e.public_message(), None),
            Err(End::Halted) => return,
        };
        if state != ScanState::Succeeded {
            if let Err(e) = self.store.finish_scan(scan.id, state, Some(&message)).await {
                tracing::error!(scan = %scan.id, "could not record the end of the scan: {e}");
            }
        }
        // retention and alerts first, so the final event means the work is done
        if let Some(schedule_id) = scan.schedule_id {
            if let Err(e) = self
                .after_scheduled(&scan, schedule_id, state, &message, report_id)
                .await
            {
                tracing::error!(scan = %scan.id, "after a scheduled scan: {e}");
            }
        }
        if state != ScanState::Cancelled {
            let began = self
                .store
                .scan(scan.id)
                .await
                .ok()
                .flatten()
                .and_then(|s| s.started_at);
            if let Some(b) = began {
                self.metrics.observe_scan(
                    &scan.cluster_id,
                    (chrono::Utc::now() - b).num_milliseconds() as f64 / 1000.0,
                );
            }
        }
        let mut done = event(
            scan.id,
            &scan.cluster_id,
            ScanPhase::Done,
            state,
            message.clone(),
        );
        done.report_id = report_id.map(|r| r.to_string().into());
        self.progress.publish(done);
    }

    /// Retention and alerts after a scheduled scan.
    async fn after_scheduled(
        &self,
        scan: &scan::Model,
        schedule_id: Uuid,
        state: ScanState,
        message: &str,
        report_id: Option<Uuid>,
    ) -> Result<()> {
        let Some(schedule) = self.store.schedule(schedule_id).await? else {
            return Ok(());
        };
        if state == ScanState::Succeeded {
            let pruned = self
                .store
                .prune_schedule_reports(schedule_id, schedule.retention.max(1) as u64)
                .await?;
            if pruned > 0 {
                tracing::info!(schedule = %schedule_id, pruned, "old scheduled reports deleted");
            }
        }
        let report = match report_id {
            Some(id) => self.store.report(id).await?,
            None => None,
        };
        let failed_checks: Vec<String> = match &report {
            Some(r) => self
                .store
                .check_results(
                    r.id,
                    &[
                        crate::engine::report::State::Fail,
                        crate::engine::report::State::Error,
                    ],
                    None,
                )
                .await?
                .into_iter()
                .map(|c| c.row.check_id)
                .collect(),
            None => Vec::new(),
        };
        let failed = state != ScanState::Succeeded || !failed_checks.is_empty();
        if !((failed && schedule.alert_on_failure) || schedule.alert_on_complete) {
            return Ok(());
        }
        let Some(hooks) = self.hooks.get() else {
            return Ok(());
        };
        let link = report.as_ref().map(|r| {
            (
                r.id.to_string(),
                format!(
                    "{}/reports/{}/csv",
                    hooks.public_url.trim_end_matches('/'),
                    r.id
                ),
            )
        });
        let summary = report.as_ref().map(|r| {
            serde_json::json!({ "total": r.total, "pass": r.pass, "fail": r.fail, "warn": r.warn, "skip": r.skip, "notApplicable": r.not_applicable, "error": r.error })
        });
        hooks.alerts.send(crate::service::alerts::payload(
            if failed {
                "scan.failed"
            } else {
                "scan.completed"
            },
            &scan.cluster_id,
            &scan.id.to_string(),
            state.as_str(),
            link.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            summary,
            &failed_checks,
            Some(message),
        ));
        Ok(())
    }

    async fn execute(self: &Arc<Self>, scan: &scan::Model) -> Result<Uuid> {
        let (id, cluster) = (scan.id, scan.cluster_id.as_str());
        let started = chrono::Utc::now();
        let source = self
            .source(cluster)
            .ok_or_else(|| Error::NotFound(format!("cluster '{cluster}' has no source")))?;
        self.progress.publish(event(
            id,
            cluster,
            ScanPhase::Discovering,
            ScanState::Running,
            format!("reading {}", source.describe()),
        ));
        let hub = &self.progress;
        let on_node = move |done: usize, total: usize, msg: &str| {
            // a source reports discovery (before it knows the nodes) with a total of 0
            let phase = if total == 0 {
                ScanPhase::Discovering
            } else {
                ScanPhase::Collecting
            };
            let mut e = event(id, cluster, phase, ScanState::Running, msg);
            e.nodes_done = done as i32;
            e.nodes_total = total as i32;
            hub.publish(e);
        };
        let gathered = source.gather(id, &on_node).await?;
        if gathered.nodes.is_empty() {
            return Err(Error::Invalid(
                "the cluster has no node that can be scanned".into(),
            ));
        }
        let benchmark = match scan.benchmark.as_deref() {
            Some(b) => self.catalog.get(b)?,
            None => self
                .catalog
                .select(None, gathered.kubernetes_version.as_deref())?,
        };
        let skips: Vec<Skip> = self
            .store
            .skipped_tests(cluster)
            .await?
            .into_iter()
            .map(|s| Skip {
                id: s.test_id,
                reason: s.reason,
                by: Some(s.created_by),
                at: Some(s.created_at.to_rfc3339()),
            })
            .collect();
        let nodes_total = gathered.nodes.len() as i32;
        let me = self.clone();
        let cluster_id = cluster.to_string();
        let version = gathered.kubernetes_version.clone();
        let (provider, mode) = (gathered.provider.clone(), gathered.mode.clone());
        let excluded: Vec<crate::engine::report::ExcludedNode> = gathered
            .excluded
            .iter()
            .map(|(node, reason)| crate::engine::report::ExcludedNode {
                node: node.clone(),
                reason: reason.clone(),
            })
            .collect();
        let report = tokio::task::spawn_blocking(move || {
            let step = (benchmark.checks.len() / 10).max(1);
            let mut on_check = |done: usize, total: usize| {
                if done.is_multiple_of(step) || done == total {
                    let mut e = event(
                        id,
                        &cluster_id,
                        ScanPhase::Evaluating,
                        ScanState::Running,
                        format!("evaluating {}", benchmark.id),
                    );
                    (e.nodes_done, e.nodes_total, e.checks_done, e.checks_total) =
                        (nodes_total, nodes_total, done as i32, total as i32);
                    me.progress.publish(e);
                }
            };
            let input = crate::engine::eval::Input {
                nodes: &gathered.nodes,
                cluster: gathered.cluster.as_ref(),
                managed_by: gathered.managed_by.as_deref(),
                skips: &skips,
            };
            let mut r =
                crate::engine::eval::evaluate_with_progress(&benchmark, &input, &mut on_check);
            r.kubernetes_version = version;
            r.provider = Some(provider);
            r.mode = Some(mode);
            r.excluded = excluded;
            r
        })
        .await
        .map_err(|e| Error::Internal(format!("evaluation task: {e}")))?;
        let mut saving = event(
            id,
            cluster,
            ScanPhase::Saving,
            ScanState::Running,
            "saving the report",
        );
        (
            saving.nodes_done,
            saving.nodes_total,
            saving.checks_done,
            saving.checks_total,
        ) = (
            nodes_total,
            nodes_total,
            report.results.len() as i32,
            report.results.len() as i32,
        );
        self.progress.publish(saving);
        self.store
            .save_report(id, cluster, &report, started, scan.schedule_id)
            .await
    }

    /// Cancels a queued or running scan; a finished one is returned unchanged.
    pub async fn cancel(&self, id: Uuid, by: &Principal) -> Result<scan::Model> {
        let scan = self.visible_scan(id, by).await?;
        let token = self
            .cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned();
        match token {
            Some(t) => t.cancel(),
            // queued by a process that is gone: end it here
            None => {
                self.store
                    .finish_scan(id, ScanState::Cancelled, Some("scan cancelled"))
                    .await?;
            }
        }
        // wait briefly for the runner to record the cancellation
        for _ in 0..50 {
            let s = self.store.scan(id).await?.unwrap_or_else(|| scan.clone());
            if ScanState::parse(&s.state).is_some_and(|st| st.is_final()) {
                return Ok(s);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Ok(self.store.scan(id).await?.unwrap_or(scan))
    }

    /// A scan the caller may see, or NOT_FOUND.
    pub async fn visible_scan(&self, id: Uuid, by: &Principal) -> Result<scan::Model> {
        match self.store.scan(id).await? {
            Some(s) if by.can_access(&s.cluster_id) => Ok(s),
            _ => Err(Error::NotFound(format!("no scan {id}"))),
        }
    }

    /// Finds work that a stopped process left: RUNNING scans whose claim
    /// expired become INTERRUPTED and are queued again (not lost); QUEUED scans
    /// that no process here is running are started. Run at start-up and then
    /// every half lease by [`Scanner::keep_reaping`].
    pub async fn reap(self: &Arc<Self>, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Uuid>> {
        let mut requeued = Vec::new();
        for s in self.store.interrupt_expired_scans(now).await? {
            tracing::warn!(scan = %s.id, claimed_by = ?s.claimed_by, "marked INTERRUPTED: its process stopped while it ran");
            let by = format!("retry of {}", &s.id.to_string()[..8]);
            let again = self
                .store
                .insert_scan(&s.cluster_id, s.benchmark.as_deref(), &by, s.schedule_id)
                .await?;
            requeued.push(again.id);
        }
        if !requeued.is_empty() {
            self.sweep_leftovers();
        }
        let grace = now - chrono::Duration::milliseconds(self.lease().as_millis() as i64);
        for s in self.store.queued_scans().await? {
            let mine = self
                .cancels
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(&s.id);
            let fresh_elsewhere = s.created_at > grace && !requeued.contains(&s.id);
            if !mine && !fresh_elsewhere && self.source(&s.cluster_id).is_some() {
                self.spawn(s);
            }
        }
        Ok(requeued)
    }

    /// At start-up: see [`Scanner::reap`]; also removes what scans of a killed
    /// process left in live clusters.
    pub async fn recover(self: &Arc<Self>) -> Result<()> {
        let requeued = self.reap(chrono::Utc::now()).await?;
        if requeued.is_empty() {
            self.sweep_leftovers();
        }
        Ok(())
    }

    /// Reaps every half lease until the scanner is halted.
    pub fn keep_reaping(self: &Arc<Self>) {
        let me = Arc::downgrade(self);
        let halt = self.halt.clone();
        let every = self.lease() / 2;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = halt.cancelled() => return,
                }
                let Some(me) = me.upgrade() else { return };
                if let Err(e) = me.reap(chrono::Utc::now()).await {
                    tracing::warn!("reaping stale scans: {e}");
                }
            }
        });
    }

    /// Stops everything this scanner runs without recording outcomes, as a crash would.
    pub fn halt(&self) {
        self.halt.cancel();
    }

    /// True once [`Scanner::halt`] was called.
    pub fn is_halted(&self) -> bool {
        self.halt.is_cancelled()
    }

    /// How long a claim on a running scan holds without a heartbeat.
    pub fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.lease_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Sets the claim length (at start-up).
    pub fn set_lease(&self, lease: std::time::Duration) {
        self.lease_ms.store(
            lease.as_millis().max(100) as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    fn lease_until(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.lease().as_millis() as i64)
    }

    /// Renews the claim on a running scan every third of the lease.
    fn heartbeat(self: &Arc<Self>, id: Uuid) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(me.lease() / 3).await;
                if let Err(e) = me
                    .store
                    .renew_lease(id, &me.replica, me.lease_until())
                    .await
                {
                    tracing::warn!(scan = %id, "lease renewal failed: {e}");
                }
            }
        })
    }

    /// A scan's progress as a stream: its current state first, then every
    /// change; it ends after the final event. Subscribes before reading the
    /// current state so no event falls in between.
    pub async fn follow(
        self: &Arc<Self>,
        scan: scan::Model,
    ) -> impl futures_util::Stream<Item = ScanProgress> {
        use tokio::sync::broadcast::error::RecvError;
        let rx = self.progress.subscribe();
        let scan = self
            .store
            .scan(scan.id)
            .await
            .ok()
            .flatten()
            .unwrap_or(scan);
        let first = self.current(&scan).await;
        let id = scan.id.to_string();
        futures_util::stream::unfold(
            (Some(first), rx, false, self.clone(), id),
            |(pending, mut rx, done, me, id)| async move {
                if done {
                    return None;
                }
                if let Some(ev) = pending {
                    let fin = ev.state.is_final();
                    return Some((ev, (None, rx, fin, me, id)));
                }
                loop {
                    match rx.recv().await {
                        Ok(ev) if ev.scan_id.as_str() == id => {
                            let fin = ev.state.is_final();
                            return Some((ev, (None, rx, fin, me, id)));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => {
                            // resynchronise from the latest known state
                            let scan = me
                                .store
                                .scan(Uuid::parse_str(&id).ok()?)
                                .await
                                .ok()
                                .flatten()?;
                            let ev = me.current(&scan).await;
                            let fin = ev.state.is_final();
                            return Some((ev, (None, rx, fin, me, id)));
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
        use tokio::sync::broadcast::error::RecvError;
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

    /// The current (or final) progress of a scan.
    pub async fn current(&self, scan: &scan::Model) -> ScanProgress {
        if let Some(p) = self.progress.latest(scan.id) {
            return p;
        }
        let state = ScanState::parse(&scan.state).unwrap_or(ScanState::Failed);
        let phase = if state.is_final() {
            ScanPhase::Done
        } else {
            ScanPhase::Queued
        };
        let mut e = event(
            scan.id,
            &scan.cluster_id,
            phase,
            state,
            scan.message
                .clone()
                .unwrap_or_else(|| state.as_str().to_lowercase()),
        );
        e.report_id = scan.report_id.map(|r| r.to_string().into());
        e
    }
}

/// How a scan ended when it did not succeed.
enum End {
    Cancelled,
    Failed(Error),
    /// The scanner was halted (process shutting down as if it crashed).
    Halted,
}
