//! Progress across replicas: each replica NOTIFYs its scan events on a
//! PostgreSQL channel and LISTENs for the others', so a client subscribed on
//! one replica follows a scan running on another.

use super::Scanner;
use crate::service::domain::ScanProgress;
use sea_orm::sqlx::postgres::PgListener;
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
    if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
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
                tracing::warn!("progress relay: {e}");
            }
        }
    });
    // incoming: listen before returning, so no event of this process's life is missed;
    // then reconnect on errors
    let first = match PgListener::connect(database_url).await {
        Ok(mut l) => match l.listen(CHANNEL).await {
            Ok(()) => Some(l),
            Err(e) => {
                tracing::warn!("progress relay cannot listen: {e}");
                None
            }
        },
        Err(e) => {
            tracing::warn!("progress relay cannot connect: {e}");
            None
        }
    };
    let me = Arc::downgrade(scanner);
    let url = database_url.to_string();
    tokio::spawn(async move {
        let mut current = first;
        loop {
            if let Some(mut listener) = current.take() {
                while let Ok(n) = listener.recv().await {
                    let Some(s) = me.upgrade() else { return };
                    if let Ok(env) = serde_json::from_str::<Envelope>(n.payload()) {
                        if env.origin != s.replica {
                            s.progress.publish_local(env.event);
                        }
                    }
                }
            }
            if me.upgrade().is_none() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            current = match PgListener::connect(&url).await {
                Ok(mut l) => l.listen(CHANNEL).await.is_ok().then_some(l),
                Err(e) => {
                    tracing::warn!("progress relay cannot listen: {e}");
                    None
                }
            };
        }
    });
}
