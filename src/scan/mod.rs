//! Scans: the one entry point used by the API, the scheduler and tests.
//! A scan is queued, waits for its cluster (one scan per cluster at a time,
//! in order), gathers node facts, evaluates, and saves one report.

mod progress;

pub use progress::{event, ProgressHub};

use crate::benchmark::Catalog;
use crate::domain::{Principal, ScanPhase, ScanProgress, ScanState};
use crate::error::{Error, Result};
use crate::report::Skip;
use crate::source::ClusterSource;
use crate::store::{entity::scan, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Runs scans; lives in app state.
pub struct Scanner {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub progress: ProgressHub,
    sources: RwLock<HashMap<String, Arc<dyn ClusterSource>>>,
    cluster_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    cancels: Mutex<HashMap<Uuid, CancellationToken>>,
}

impl Scanner {
    /// A scanner with no clusters yet.
    pub fn new(store: Store, catalog: Arc<Catalog>) -> Arc<Self> {
        Arc::new(Scanner {
            store,
            catalog,
            progress: ProgressHub::default(),
            sources: RwLock::new(HashMap::new()),
            cluster_locks: Mutex::new(HashMap::new()),
            cancels: Mutex::new(HashMap::new()),
        })
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

    /// Queues a scan and starts it in the background; returns it at once.
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
        let scan = self
            .store
            .insert_scan(cluster_id, benchmark, &by.name())
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
            Some(_g) => tokio::select! {
                r = self.execute(&scan) => r.map_err(End::Failed),
                _ = cancel.cancelled() => Err(End::Cancelled),
            },
        };
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
            Err(End::Failed(e)) => (ScanState::Failed, e.to_string(), None),
        };
        if state != ScanState::Succeeded {
            if let Err(e) = self.store.finish_scan(scan.id, state, Some(&message)).await {
                tracing::error!(scan = %scan.id, "could not record the end of the scan: {e}");
            }
        }
        let mut done = event(scan.id, &scan.cluster_id, ScanPhase::Done, state, message);
        done.report_id = report_id.map(|r| r.to_string().into());
        self.progress.publish(done);
    }

    async fn execute(self: &Arc<Self>, scan: &scan::Model) -> Result<Uuid> {
        let (id, cluster) = (scan.id, scan.cluster_id.as_str());
        if !self.store.start_scan(id).await? {
            return Err(Error::Invalid("the scan was no longer queued".into()));
        }
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
        let gathered = source.gather(&on_node).await?;
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
        let excluded: Vec<crate::report::ExcludedNode> = gathered
            .excluded
            .iter()
            .map(|(node, reason)| crate::report::ExcludedNode {
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
            let input = crate::eval::Input {
                nodes: &gathered.nodes,
                cluster: gathered.cluster.as_ref(),
                managed_by: gathered.managed_by.as_deref(),
                skips: &skips,
            };
            let mut r = crate::eval::evaluate_with_progress(&benchmark, &input, &mut on_check);
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
        self.store.save_report(id, cluster, &report, started).await
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

    /// At start-up: scans left RUNNING become INTERRUPTED; queued ones run again.
    pub async fn recover(self: &Arc<Self>) -> Result<()> {
        for id in self.store.interrupt_running_scans().await? {
            tracing::warn!(scan = %id, "marked INTERRUPTED: the service stopped while it ran");
        }
        for s in self.store.queued_scans().await? {
            if self.source(&s.cluster_id).is_some() {
                self.spawn(s);
            }
        }
        Ok(())
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
}
