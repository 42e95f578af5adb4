//! Report deletions across replicas on PostgreSQL: the replica that deletes a report
//! NOTIFYs its id, every replica LISTENs and drops it from its report cache at once.
//! While the listener is down announcements can be missed, so each (re)connection
//! empties the cache; the cache's existence recheck covers the gap until then.
//! SQLite has no NOTIFY: there the recheck alone bounds how long another replica serves
//! a deleted report.

use super::report_cache::{Inner, ReportCache};
use crate::service::store::listen;
use std::sync::{Arc, Weak};
use uuid::Uuid;

/// The NOTIFY channel; the payload is the report id.
pub use super::report_cache::DELETION_CHANNEL as CHANNEL;

/// Whether a database URL names PostgreSQL (which can announce deletes).
pub fn announces(database_url: &str) -> bool {
    listen::is_postgres(database_url)
}

/// Starts listening for deletions on PostgreSQL (a no-op on SQLite). Listens before
/// returning, so no announcement after start-up is missed; ends with the cache.
pub async fn listen(cache: &ReportCache, database_url: &str) {
    if !announces(database_url) {
        return;
    }
    let (on_delete, on_reconnect): (Weak<Inner>, Weak<Inner>) =
        (Arc::downgrade(&cache.0), Arc::downgrade(&cache.0));
    listen::listen(
        database_url,
        CHANNEL,
        "report deletions",
        move |payload| {
            let Some(cache) = on_delete.upgrade() else {
                return false;
            };
            if let Ok(id) = Uuid::parse_str(payload) {
                cache.forget(id);
            }
            true
        },
        // deletions may have been missed while disconnected: forget everything
        move || {
            let Some(cache) = on_reconnect.upgrade() else {
                return false;
            };
            cache.forget_all();
            true
        },
    )
    .await;
}
