//! Progress across replicas: each replica NOTIFYs its scan events on a
//! PostgreSQL channel and LISTENs for the others', so a client subscribed on
//! one replica follows a scan running on another.

use super::Scanner;
use crate::service::scan::lifecycle::ScanProgress;
use crate::service::store::listen;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The NOTIFY channel.
pub const CHANNEL: &str = "cis_scan_progress";

#[derive(Serialize, Deserialize)]
struct Envelope {
    origin: String,
    event: ScanProgress,
}

/// Starts relaying for a scanner on PostgreSQL; a no-op on SQLite (one process).
pub async fn start(scanner: &Arc<Scanner>, database_url: &str) {
    if !listen::is_postgres(database_url) {
        return;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<ScanProgress>();
    scanner.progress.set_relay(tx);
    // outgoing, in order
    let me = Arc::downgrade(scanner);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let Some(s) = me.upgrade() else { return };
            let payload = serde_json::to_string(&Envelope {
                origin: s.replica.clone(),
                event,
            })
            .unwrap_or_default();
            if let Err(e) = s.store.notify(CHANNEL, &payload).await {
                tracing::warn!("progress relay: {}", e.chain());
            }
        }
    });
    // incoming: listen before returning, so no event of this process's life is missed
    let me = Arc::downgrade(scanner);
    let alive = Arc::downgrade(scanner);
    listen::listen(
        database_url,
        CHANNEL,
        "progress relay",
        move |payload| {
            let Some(s) = me.upgrade() else { return false };
            if let Ok(env) = serde_json::from_str::<Envelope>(payload) {
                if env.origin != s.replica {
                    s.progress.publish_local(env.event);
                }
            }
            true
        },
        move || alive.upgrade().is_some(),
    )
    .await;
}
