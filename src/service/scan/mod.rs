//! Scans: the one entry point used by the API, the scheduler and tests.
//! A scan is queued, claimed in the database when its cluster is free (one
//! scan per cluster across replicas, in order), run through the pipeline, and
//! saved as one report. The parts, one job each:
//! - this file: the registry of sources, queueing and cancelling;
//! - `claim`: waiting for the cluster and taking the scan in one statement;
//! - `runner`: running a claimed scan to its end (cancel through a token);
//! - `follow`: progress streams; `reaper`: work a stopped process left;
//! - `pipeline`: discover → gather → evaluate → report, without the database.

mod claim;
mod follow;
mod follow_up;
mod leftovers;
pub mod lifecycle;
pub mod pipeline;
mod progress;
mod reaper;
pub mod relay;
mod runner;

pub use follow_up::FollowUp;
pub use progress::{event, ProgressHub};

use crate::engine::benchmark::Catalog;
use crate::error::{shown, Error, Result};
use crate::service::principal::Principal;
use crate::service::scan::lifecycle::{ScanPhase, ScanState};

use crate::service::store::{entity::scan, Store};
use crate::sources::ClusterSource;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How the scanner works, fixed at start-up.
#[derive(Debug, Clone)]
pub struct ScannerConfig {
    /// How long a claim on a running scan holds without a heartbeat.
    pub lease: Duration,
    /// Retention and alerts after scheduled scans.
    pub follow_up: FollowUp,
}

/// Runs scans; lives in the service.
pub struct Scanner {
    pub store: Store,
    /// This process's name in claims (ticks, scans).
    pub replica: String,
    pub catalog: Arc<Catalog>,
    pub progress: ProgressHub,
    pub metrics: crate::service::metrics::Metrics,
    /// The service's "now" (skips a scan applies, token expiry and trust);
    /// tests move it forward.
    pub clock: Arc<crate::service::clock::Clock>,
    config: ScannerConfig,
    sources: RwLock<HashMap<String, Arc<dyn ClusterSource>>>,
    /// Scans this replica waits on or runs, with the token that cancels each.
    cancels: Mutex<HashMap<Uuid, CancellationToken>>,
    /// Serialises scan requests, so a queued scan is found before another is queued.
    requests: tokio::sync::Mutex<()>,
}

impl Scanner {
    /// A scanner with no clusters yet.
    pub fn new(store: Store, catalog: Arc<Catalog>, config: ScannerConfig) -> Arc<Self> {
        let mut config = config;
        config.lease = config.lease.max(Duration::from_millis(100));
        Arc::new(Scanner {
            store,
            replica: format!(
                "{}-{}",
                std::process::id(),
                &Uuid::new_v4().simple().to_string()[..8]
            ),
            catalog,
            progress: ProgressHub::default(),
            metrics: Default::default(),
            clock: Default::default(),
            config,
            sources: RwLock::new(HashMap::new()),
            cancels: Mutex::new(HashMap::new()),
            requests: tokio::sync::Mutex::new(()),
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

    /// How long a claim on a running scan holds without a heartbeat.
    pub fn lease(&self) -> Duration {
        self.config.lease
    }

    /// Queues a scan and starts it in the background; returns it at once. A cluster
    /// that already has a scan waiting gets no second one: that scan is returned.
    pub async fn request(
        self: &Arc<Self>,
        cluster_id: &str,
        benchmark: Option<&str>,
        by: &Principal,
    ) -> Result<scan::Model> {
        self.request_with(cluster_id, benchmark, false, by).await
    }

    /// [`Scanner::request`], optionally leaving unscored and manual checks out
    /// of the report. A waiting scan of the cluster is returned as it is.
    pub async fn request_with(
        self: &Arc<Self>,
        cluster_id: &str,
        benchmark: Option<&str>,
        scored_only: bool,
        by: &Principal,
    ) -> Result<scan::Model> {
        crate::service::access::visible_cluster_in(&self.store, cluster_id, by).await?;
        if self.source(cluster_id).is_none() {
            return Err(Error::NotFound(format!(
                "no cluster '{}'",
                shown(cluster_id)
            )));
        }
        if let Some(b) = benchmark {
            crate::engine::benchmark::choose(&self.catalog, Some(b), None, None)?;
        }
        // one request at a time per replica, so two clicks cannot both find no queued scan
        let _one = self.requests.lock().await;
        if let Some(waiting) = self.store.queued_scan_of(cluster_id).await? {
            return Ok(waiting);
        }
        let scan = self
            .store
            .insert_scan_with(cluster_id, benchmark, &by.name(), None, scored_only)
            .await?;
        self.spawn(scan.clone());
        Ok(scan)
    }

    /// Queues a scan for a schedule.
    pub async fn request_scheduled(
        self: &Arc<Self>,
        cluster_id: &str,
        benchmark: Option<&str>,
        scored_only: bool,
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
            .insert_scan_with(cluster_id, benchmark, &by, Some(schedule_id), scored_only)
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

    /// True when this replica waits on or runs the scan.
    fn is_mine(&self, id: Uuid) -> bool {
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&id)
    }

    /// Cancels a queued or running scan and returns it as it ended. A scan
    /// that had already finished is BAD_USER_INPUT saying how and when.
    pub async fn cancel(&self, id: Uuid, by: &Principal) -> Result<scan::Model> {
        let scan = self.visible_scan(id, by).await?;
        if scan.state.is_final() {
            return Err(already_finished(&scan));
        }
        // subscribe first: the runner's final event cannot slip by
        let mut events = self.progress.subscribe();
        let token = self
            .cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned();
        match token {
            Some(t) => {
                t.cancel();
                // the runner records the end and publishes it; wait for that (bounded)
                let ended = async {
                    loop {
                        match events.recv().await {
                            Ok(e) if e.scan_uuid() == Some(id) && e.state.is_final() => return,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                            _ => continue,
                        }
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(5), ended).await;
            }
            // queued or run by another process: end it in the database; a runner
            // elsewhere finds it no longer RUNNING when it saves and keeps nothing
            None => {
                if self
                    .store
                    .finish_scan(id, ScanState::Cancelled, Some("scan cancelled"))
                    .await?
                {
                    self.progress.publish(event(
                        id,
                        &scan.cluster_id,
                        ScanPhase::Done,
                        ScanState::Cancelled,
                        "scan cancelled",
                    ));
                }
            }
        }
        Ok(self.store.scan(id).await?.unwrap_or(scan))
    }

    /// A scan the caller may see, or NOT_FOUND.
    pub async fn visible_scan(&self, id: Uuid, by: &Principal) -> Result<scan::Model> {
        crate::service::access::visible_scan_in(&self.store, id, by).await
    }
}

/// The answer to cancelling a scan that had already ended.
fn already_finished(scan: &scan::Model) -> Error {
    let when = scan
        .finished_at
        .map(|t| {
            format!(
                " at {}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )
        })
        .unwrap_or_default();
    Error::Invalid(format!(
        "scan {} had already finished: {}{when}; nothing to cancel",
        scan.id,
        scan.state.as_str()
    ))
}
