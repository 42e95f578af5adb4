//! Token rows cached per replica, so most requests need no database query,
//! yet a revoked, expired or deleted token stops working within seconds on
//! every replica: an entry is trusted for at most [`TOKEN_CACHE_TTL`], then
//! re-read; expiry is judged against the clock on every request.

use crate::error::Result;
use crate::service::auth::{hash, judge, AuthOutcome, Refusal};
use crate::service::store::entity::token::Model as TokenRow;
use crate::service::store::Store;
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a cached row is trusted. Below the promised 5 seconds, leaving
/// room for the re-read itself.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(4);

/// At most one `last_used_at` write per token per replica in this time.
pub const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// Most entries before a map starts over (bounds memory against floods of tokens).
const LIMIT: usize = 10_000;

struct Cached {
    row: TokenRow,
    fetched: Instant,
}

/// The cache; one per running service.
#[derive(Default)]
pub struct TokenCache {
    /// By token hash.
    rows: RwLock<HashMap<String, Cached>>,
    /// When this replica last wrote a token's `last_used_at`.
    touched: Mutex<HashMap<Uuid, Instant>>,
}

impl TokenCache {
    /// Who a bearer token names, or why it is refused.
    pub async fn authenticate(&self, store: &Store, token: &str) -> Result<AuthOutcome> {
        let key = hash(token.trim());
        let row = match self.fresh(&key) {
            Some(row) => row,
            None => match store.token_by_hash(&key).await? {
                Some(row) => {
                    self.remember(key, row.clone());
                    row
                }
                None => {
                    // a deleted row must not live on in the cache
                    self.write_rows().remove(&key);
                    return Ok(AuthOutcome::Refused(Refusal::Unknown));
                }
            },
        };
        let outcome = judge(&row, chrono::Utc::now());
        if matches!(outcome, AuthOutcome::Accepted(_)) {
            self.touch(store, row.id);
        }
        Ok(outcome)
    }

    fn fresh(&self, key: &str) -> Option<TokenRow> {
        let rows = self.rows.read().unwrap_or_else(|e| e.into_inner());
        rows.get(key)
            .filter(|c| c.fetched.elapsed() < TOKEN_CACHE_TTL)
            .map(|c| c.row.clone())
    }

    fn write_rows(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Cached>> {
        self.rows.write().unwrap_or_else(|e| e.into_inner())
    }

    fn remember(&self, key: String, row: TokenRow) {
        let mut rows = self.write_rows();
        if rows.len() >= LIMIT {
            rows.clear();
        }
        rows.insert(
            key,
            Cached {
                row,
                fetched: Instant::now(),
            },
        );
    }

    /// Records use off the request path, at most once per [`LAST_USED_EVERY`].
    fn touch(&self, store: &Store, id: Uuid) {
        {
            let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
            if touched
                .get(&id)
                .is_some_and(|at| at.elapsed() < LAST_USED_EVERY)
            {
                return;
            }
            if touched.len() >= LIMIT {
                touched.clear();
            }
            touched.insert(id, Instant::now());
        }
        let store = store.clone();
        let at = chrono::Utc::now();
        tokio::spawn(async move {
            if let Err(e) = store.touch_token(id, at).await {
                tracing::warn!(token_id = %id, "could not record the token's last use: {e}");
            }
        });
    }
}
