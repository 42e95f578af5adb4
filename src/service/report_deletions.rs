//! Report deletions across replicas on PostgreSQL: the replica that deletes a report
//! NOTIFYs its id, every replica LISTENs and drops it from its report cache at once.
//! While the listener is down announcements can be missed, so each (re)connection
//! empties the cache; the cache's existence recheck covers the gap until then.
//! SQLite has no NOTIFY: there the recheck alone bounds how long another replica serves
//! a deleted report.

use super::report_cache::{Inner, ReportCache};
use sea_orm::sqlx::postgres::PgListener;
use std::sync::{Arc, Weak};
use std::time::Duration;
use uuid::Uuid;

/// The NOTIFY channel; the payload is the report id.
pub const CHANNEL: &str = "cis_scan_report_deleted";

/// Whether a database URL names PostgreSQL (which can announce deletes).
pub fn announces(database_url: &str) -> bool {
    database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")
}

async fn listener(url: &str) -> Option<PgListener> {
    match PgListener::connect(url).await {
        Ok(mut l) => match l.listen(CHANNEL).await {
            Ok(()) => Some(l),
            Err(e) => {
                tracing::warn!("report deletions: cannot listen: {e}");
                None
            }
        },
        Err(e) => {
            tracing::warn!("report deletions: cannot connect: {e}");
            None
        }
    }
}

/// Starts listening for deletions on PostgreSQL (a no-op on SQLite). Listens before
/// returning, so no announcement after start-up is missed; ends with the cache.
pub async fn listen(cache: &ReportCache, database_url: &str) {
    if !announces(database_url) {
        return;
    }
    let first = listener(database_url).await;
    let weak: Weak<Inner> = Arc::downgrade(&cache.0);
    let url = database_url.to_string();
    tokio::spawn(async move {
        let mut current = first;
        loop {
            if let Some(mut l) = current.take() {
                while let Ok(n) = l.recv().await {
                    let Some(cache) = weak.upgrade() else { return };
                    if let Ok(id) = Uuid::parse_str(n.payload()) {
                        cache.forget(id);
                    }
                }
            }
            let Some(cache) = weak.upgrade() else { return };
            drop(cache);
            tokio::time::sleep(Duration::from_secs(1)).await;
            current = listener(&url).await;
            if current.is_some() {
                if let Some(cache) = weak.upgrade() {
                    cache.forget_all();
                }
            }
        }
    });
}
