//! Whole answers built only from saved reports, kept as the bytes that were sent.
//!
//! A saved report never changes, so an answer that reads nothing but saved reports is
//! the same every time it is asked for, whoever asks (once they may see the reports).
//! Resolving and serialising the ~3,000 fields of a whole report was nearly all of its
//! cost; keeping the bytes makes a repeated read cost a lookup.
//!
//! This store decides nothing about who may read an answer: the caller names the
//! reports an answer was built from, and the API checks each of them against the
//! caller's access on every request before it serves the bytes. A report dropped from
//! the report cache (deleted here, by retention, or announced by another replica)
//! takes its answers with it; the access check, which confirms the report still
//! exists, covers a delete this replica has not heard of yet.

use moka::sync::Cache;
use std::sync::Arc;
use uuid::Uuid;

/// One kept answer.
#[derive(Debug)]
pub struct StoredAnswer {
    /// The serialized response, exactly as it was sent.
    pub body: Arc<[u8]>,
    /// Every report the answer reads; each is checked against the caller on every hit.
    pub reports: Box<[Uuid]>,
    /// What the request cost when it ran (static price and the lists' real lengths),
    /// compared again with the limit on every hit.
    pub cost: usize,
}

/// Fixed allowance per entry besides its key and body (the entry, its Arcs, moka's node).
const ENTRY_OVERHEAD: usize = 256;

fn weight(key: &str, answer: &StoredAnswer) -> u32 {
    let n = key.len() + answer.body.len() + answer.reports.len() * 16 + ENTRY_OVERHEAD;
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Answers by the request that asked for them (operation, variables, document text),
/// bounded by their weight in bytes.
#[derive(Clone)]
pub struct AnswerStore {
    answers: Cache<String, Arc<StoredAnswer>>,
    /// Larger answers are not kept: one would push out many small ones.
    largest: usize,
}

impl std::fmt::Debug for AnswerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnswerStore({} answers)", self.answers.entry_count())
    }
}

impl AnswerStore {
    /// A store holding at most `max_bytes` of answers, each at most a sixteenth of it.
    pub fn new(max_bytes: u64) -> Self {
        let max_bytes = max_bytes.max(1);
        AnswerStore {
            answers: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &String, a: &Arc<StoredAnswer>| weight(k, a))
                .support_invalidation_closures()
                .build(),
            largest: usize::try_from(max_bytes / 16).unwrap_or(usize::MAX),
        }
    }

    /// The answer kept for this request, if any. The caller must still check the
    /// caller's access to each of its reports.
    pub fn get(&self, key: &str) -> Option<Arc<StoredAnswer>> {
        self.answers.get(key)
    }

    /// Whether an answer of `len` bytes under `key` is small enough to be kept.
    pub fn worth_keeping(&self, key: &str, len: usize) -> bool {
        len.saturating_add(key.len()) <= self.largest
    }

    /// Keeps an answer (unless it is too large to be worth its room).
    pub fn keep(&self, key: &str, answer: StoredAnswer) {
        if !self.worth_keeping(key, answer.body.len()) {
            return;
        }
        self.answers.insert(key.to_string(), Arc::new(answer));
    }

    /// Drops every answer that reads report `id`.
    pub fn forget(&self, id: Uuid) {
        // fails only when the cache was built without closures, which `new` asks for
        let _ = self
            .answers
            .invalidate_entries_if(move |_, a| a.reports.contains(&id));
    }

    /// Drops every answer.
    pub fn forget_all(&self) {
        self.answers.invalidate_all();
    }

    /// What the kept answers weigh now, in bytes (after pending evictions).
    pub fn weighted_size(&self) -> u64 {
        self.answers.run_pending_tasks();
        self.answers.weighted_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str, reports: &[Uuid]) -> StoredAnswer {
        StoredAnswer {
            body: Arc::from(body.as_bytes()),
            reports: reports.into(),
            cost: 1,
        }
    }

    #[test]
    fn a_kept_answer_comes_back_for_its_key_only() {
        let store = AnswerStore::new(1 << 20);
        let r = Uuid::new_v4();
        store.keep("k", answer("{\"data\":{}}", &[r]));
        assert_eq!(&*store.get("k").unwrap().body, b"{\"data\":{}}");
        assert!(store.get("k2").is_none());
    }

    #[test]
    fn forgetting_a_report_drops_the_answers_that_read_it_and_only_those() {
        let store = AnswerStore::new(1 << 20);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        store.keep("a", answer("1", &[a]));
        store.keep("ab", answer("2", &[a, b]));
        store.keep("b", answer("3", &[b]));
        store.forget(a);
        store.answers.run_pending_tasks();
        assert!(store.get("a").is_none());
        assert!(store.get("ab").is_none());
        assert!(store.get("b").is_some());
        store.forget_all();
        assert!(store.get("b").is_none());
    }

    #[test]
    fn an_answer_larger_than_a_sixteenth_of_the_room_is_not_kept() {
        let store = AnswerStore::new(16 << 10);
        store.keep("big", answer(&"x".repeat(2 << 10), &[]));
        assert!(store.get("big").is_none());
        store.keep("small", answer(&"x".repeat(512), &[]));
        assert!(store.get("small").is_some());
    }

    #[test]
    fn ever_new_requests_stay_within_the_room() {
        let room = 256 << 10;
        let store = AnswerStore::new(room);
        let body = "y".repeat(8 << 10);
        for i in 0..2000 {
            store.keep(&format!("query {i}"), answer(&body, &[Uuid::new_v4()]));
        }
        assert!(store.weighted_size() <= room);
        assert!(store.answers.entry_count() < 2000);
    }
}
