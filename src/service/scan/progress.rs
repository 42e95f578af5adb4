//! Scan progress: one broadcast channel for all scans, plus the latest event
//! of each running scan so late subscribers start from the current state.

use crate::service::scan::lifecycle::{ScanPhase, ScanProgress, ScanState};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Events buffered for slow subscribers before they lag.
const CAPACITY: usize = 1024;

/// The progress hub kept in app state.
#[derive(Debug)]
pub struct ProgressHub {
    tx: broadcast::Sender<ScanProgress>,
    latest: Mutex<HashMap<Uuid, ScanProgress>>,
    /// Forwards local events to other replicas (PostgreSQL NOTIFY), when set.
    relay: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<ScanProgress>>,
}

impl Default for ProgressHub {
    fn default() -> Self {
        ProgressHub {
            tx: broadcast::channel(CAPACITY).0,
            latest: Mutex::new(HashMap::new()),
            relay: Default::default(),
        }
    }
}

impl ProgressHub {
    /// Records and broadcasts an event of this replica, and relays it to the others.
    pub fn publish(&self, event: ScanProgress) {
        if let Some(r) = self.relay.get() {
            let _ = r.send(event.clone());
        }
        self.publish_local(event);
    }

    /// Sends local events to `relay` too (set once, when replicas share PostgreSQL).
    pub fn set_relay(&self, relay: tokio::sync::mpsc::UnboundedSender<ScanProgress>) {
        let _ = self.relay.set(relay);
    }

    /// Records and broadcasts an event (from this replica or relayed from another);
    /// final events drop the scan from the running set.
    pub fn publish_local(&self, event: ScanProgress) {
        if let Some(id) = event.scan_uuid() {
            let mut latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
            if event.state.is_final() {
                latest.remove(&id);
            } else {
                latest.insert(id, event.clone());
            }
        }
        // no subscribers is fine
        let _ = self.tx.send(event);
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ScanProgress> {
        self.tx.subscribe()
    }

    /// The last event of a scan still in progress.
    pub fn latest(&self, id: Uuid) -> Option<ScanProgress> {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}

/// Builds an event.
pub fn event(
    scan: Uuid,
    cluster: &str,
    phase: ScanPhase,
    state: ScanState,
    message: impl Into<String>,
) -> ScanProgress {
    ScanProgress {
        scan_id: scan.to_string().into(),
        cluster_id: cluster.to_string(),
        phase,
        nodes_done: 0,
        nodes_total: 0,
        checks_done: 0,
        checks_total: 0,
        message: message.into(),
        state,
        report_id: None,
    }
}
