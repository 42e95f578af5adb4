//! Token rows cached per replica, so most requests need no database query,
//! yet a revoked, expired or deleted token stops working within seconds on
//! every replica: an entry is trusted for at most [`TOKEN_CACHE_TTL`], then
//! re-read; expiry is judged against the clock on every request. Every "now"
//! here is the service's [`Clock`], so tests move time instead of waiting for it.

use crate::error::Result;
use crate::service::auth::{hash, judge, AuthOutcome, Refusal};
use crate::service::clock::Clock;
use crate::service::store::entity::token::Model as TokenRow;
use crate::service::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
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
    fetched: DateTime<Utc>,
}

/// True while something that happened at `then` is less than `span` ago at `now`;
/// never for a `then` in the future (a clock moved back re-reads rather than trusts).
fn within(then: DateTime<Utc>, now: DateTime<Utc>, span: Duration) -> bool {
    (now - then).to_std().is_ok_and(|elapsed| elapsed < span)
}

/// The cache; one per running service.
pub struct TokenCache {
    clock: Arc<Clock>,
    /// By token hash.
    rows: RwLock<HashMap<String, Cached>>,
    /// When this replica last wrote a token's `last_used_at`.
    touched: Mutex<HashMap<Uuid, DateTime<Utc>>>,
}

impl TokenCache {
    /// An empty cache telling time by `clock`.
    pub fn new(clock: Arc<Clock>) -> Self {
        TokenCache {
            clock,
            rows: RwLock::default(),
            touched: Mutex::default(),
        }
    }

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
        let outcome = judge(&row, self.clock.now());
        if matches!(outcome, AuthOutcome::Accepted(_)) {
            self.touch(store, row.id);
        }
        Ok(outcome)
    }

    fn fresh(&self, key: &str) -> Option<TokenRow> {
        let rows = self.rows.read().unwrap_or_else(|e| e.into_inner());
        let now = self.clock.now();
        rows.get(key)
            .filter(|c| within(c.fetched, now, TOKEN_CACHE_TTL))
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
                fetched: self.clock.now(),
            },
        );
    }

    /// Records use off the request path, at most once per [`LAST_USED_EVERY`].
    fn touch(&self, store: &Store, id: Uuid) {
        let at = self.clock.now();
        {
            let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
            if !due_for_touch(&mut touched, id, at) {
                return;
            }
        }
        let store = store.clone();
        tokio::spawn(async move {
            if let Err(e) = store.touch_token(id, at).await {
                tracing::warn!(token_id = %id, "could not record the token's last use: {}", e.chain());
            }
        });
    }
}

/// Whether a use of token `id` at `now` should be written, remembering it when so:
/// the first use, and then one a [`LAST_USED_EVERY`] at most.
fn due_for_touch(touched: &mut HashMap<Uuid, DateTime<Utc>>, id: Uuid, now: DateTime<Utc>) -> bool {
    if touched
        .get(&id)
        .is_some_and(|at| within(*at, now, LAST_USED_EVERY))
    {
        return false;
    }
    if touched.len() >= LIMIT {
        touched.clear();
    }
    touched.insert(id, now);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_use_is_written_once_a_minute_at_most() {
        let mut touched = HashMap::new();
        let id = Uuid::new_v4();
        let t0 = Utc::now();
        assert!(due_for_touch(&mut touched, id, t0));
        for s in [0, 1, 30, 59] {
            let later = t0 + chrono::Duration::seconds(s);
            assert!(!due_for_touch(&mut touched, id, later), "{s} s later");
        }
        assert!(due_for_touch(
            &mut touched,
            id,
            t0 + chrono::Duration::seconds(60)
        ));
    }

    #[test]
    fn another_tokens_first_use_is_written_at_once() {
        let mut touched = HashMap::new();
        let now = Utc::now();
        assert!(due_for_touch(&mut touched, Uuid::new_v4(), now));
        assert!(due_for_touch(&mut touched, Uuid::new_v4(), now));
    }

    #[test]
    fn a_row_is_trusted_for_the_ttl_and_not_from_the_future() {
        let t0 = Utc::now();
        let ttl = TOKEN_CACHE_TTL;
        assert!(within(t0, t0, ttl));
        assert!(within(t0, t0 + chrono::Duration::milliseconds(3_900), ttl));
        assert!(!within(t0, t0 + chrono::Duration::seconds(4), ttl));
        assert!(!within(t0 + chrono::Duration::seconds(1), t0, ttl));
    }
}
