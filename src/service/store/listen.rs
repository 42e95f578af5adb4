//! PostgreSQL LISTEN, the other half of `Store::notify`: how replicas hear each
//! other's progress events and report deletions. SQLite (one process) has none.

use sea_orm::sqlx::postgres::PgListener;
use std::time::Duration;

/// Whether a database URL names PostgreSQL, the only store that can notify.
pub fn is_postgres(database_url: &str) -> bool {
    database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")
}

/// A listening connection on `channel`, or None (logged as `what`) when it cannot be had.
async fn connect(url: &str, channel: &str, what: &str) -> Option<PgListener> {
    match PgListener::connect(url).await {
        Ok(mut l) => match l.listen(channel).await {
            Ok(()) => Some(l),
            Err(e) => {
                tracing::warn!("{what}: cannot listen: {e}");
                None
            }
        },
        Err(e) => {
            tracing::warn!("{what}: cannot connect: {e}");
            None
        }
    }
}

/// Listens on `channel` of the PostgreSQL at `url`: connects before returning, so
/// no notification after start-up is missed, then hands each payload to
/// `on_payload` in a background task. A lost connection is retried every second;
/// `on_reconnected` runs after each new connection (notifications may have been
/// missed meanwhile). Either returning false ends the task (its owner is gone).
pub async fn listen(
    url: &str,
    channel: &'static str,
    what: &'static str,
    mut on_payload: impl FnMut(&str) -> bool + Send + 'static,
    mut on_reconnected: impl FnMut() -> bool + Send + 'static,
) {
    let first = connect(url, channel, what).await;
    let url = url.to_string();
    tokio::spawn(async move {
        let mut current = first;
        loop {
            if let Some(mut l) = current.take() {
                while let Ok(n) = l.recv().await {
                    if !on_payload(n.payload()) {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            current = connect(&url, channel, what).await;
            if current.is_some() && !on_reconnected() {
                return;
            }
        }
    });
}
