//! Saved reports never change, so the read path keeps them in memory: headers,
//! parsed check rows and whole answers read only from them (`report_answers`) in
//! three bounded caches weighed by their size in bytes.
//!
//! A report can disappear (deleteReport, a schedule's retention, another replica), so
//! a cached header is served only while its existence was confirmed within
//! `recheck`; after that one cheap primary-key lookup confirms it again or drops it.
//! A delete through this cache drops the entry at once. Check rows are reached only
//! through a header the caller was just given, so they need no check of their own.
//! On PostgreSQL a delete is also announced (NOTIFY, see `report_deletions`), so the
//! other replicas drop it at once; the recheck remains for what the announcement misses.

use super::report_answers::AnswerStore;
use super::report_view::ReportHeader;
use super::store::entity::report;
use super::store::Store;
use crate::engine::report::CheckResult;
use crate::error::Result;
use moka::sync::Cache;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The PostgreSQL NOTIFY channel a delete is announced on (payload: the report
/// id); `report_deletions` listens to it.
pub const DELETION_CHANNEL: &str = "cis_scan_report_deleted";

/// The checks of one report in benchmark order, parsed once.
pub type ReportChecks = Arc<Vec<CheckResult>>;

/// A cached header and when its row was last seen in the database.
struct HeaderEntry {
    header: Arc<ReportHeader>,
    /// Milliseconds since the cache's epoch.
    seen_ms: AtomicU64,
}

/// Bounded caches of saved reports; cheap to share.
#[derive(Clone)]
pub struct ReportCache(pub(super) Arc<Inner>);

impl std::fmt::Debug for ReportCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportCache")
            .field("headers", &self.0.headers.entry_count())
            .field("checks", &self.0.checks.entry_count())
            .finish()
    }
}

/// The caches and what they need, shared by every clone and weakly by the deletion listener.
pub(super) struct Inner {
    store: Store,
    headers: Cache<Uuid, Arc<HeaderEntry>>,
    checks: Cache<Uuid, ReportChecks>,
    /// Whole answers read only from saved reports (`report_answers`).
    answers: AnswerStore,
    epoch: Instant,
    recheck: Duration,
    /// Deletes are announced to the other replicas (PostgreSQL).
    announce: bool,
}

fn weight_u32(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

impl ReportCache {
    /// Caches holding about `max_bytes` in all (a sixteenth for headers, an eighth for
    /// whole answers, the rest for check rows), trusting a header's existence for
    /// `recheck` before looking again; `announce` sends deletes to the other replicas.
    pub fn new(store: Store, max_bytes: u64, recheck: Duration, announce: bool) -> Self {
        let header_bytes = (max_bytes / 16).max(1);
        let answer_bytes = (max_bytes / 8).max(1);
        ReportCache(Arc::new(Inner {
            store,
            headers: Cache::builder()
                .max_capacity(header_bytes)
                .weigher(|_, e: &Arc<HeaderEntry>| weight_u32(e.header.weight()))
                .build(),
            checks: Cache::builder()
                .max_capacity(max_bytes.saturating_sub(header_bytes + answer_bytes).max(1))
                .weigher(|_, c: &ReportChecks| {
                    weight_u32(c.iter().map(super::report_view::check_weight).sum())
                })
                .build(),
            answers: AnswerStore::new(answer_bytes),
            epoch: Instant::now(),
            recheck,
            announce,
        }))
    }

    fn now_ms(&self) -> u64 {
        self.0.epoch.elapsed().as_millis() as u64
    }

    /// A report's header, from memory when its existence was confirmed lately.
    pub async fn header(&self, id: Uuid) -> Result<Option<Arc<ReportHeader>>> {
        if let Some(e) = self.0.headers.get(&id) {
            let now = self.now_ms();
            let seen = e.seen_ms.load(Ordering::Relaxed);
            if now.saturating_sub(seen) <= self.0.recheck.as_millis() as u64 {
                return Ok(Some(e.header.clone()));
            }
            if self.0.store.report_exists(id).await? {
                e.seen_ms.store(now, Ordering::Relaxed);
                return Ok(Some(e.header.clone()));
            }
            self.forget(id);
            return Ok(None);
        }
        match self.0.store.report(id).await? {
            Some(row) => self.remember(row).map(Some),
            None => Ok(None),
        }
    }

    /// A header held in memory, whatever its age: for a caller that has just
    /// read the row and so knows the report exists.
    pub fn cached_header(&self, id: Uuid) -> Option<Arc<ReportHeader>> {
        self.0.headers.get(&id).map(|e| e.header.clone())
    }

    /// Decodes a header row just read from the database and keeps it.
    pub fn remember(&self, row: report::Model) -> Result<Arc<ReportHeader>> {
        let header = Arc::new(ReportHeader::try_from(row)?);
        self.0.headers.insert(
            header.id,
            Arc::new(HeaderEntry {
                header: header.clone(),
                seen_ms: AtomicU64::new(self.now_ms()),
            }),
        );
        Ok(header)
    }

    /// The checks of these reports, those not in memory read in one query.
    pub async fn checks_of(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, ReportChecks>> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.0.checks.get(id) {
                Some(c) => {
                    out.insert(*id, c);
                }
                None => missing.push(*id),
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        let mut found = self.0.store.check_results_of(&missing, &[], None).await?;
        for id in missing {
            let rows = found.remove(&id).unwrap_or_default();
            let checks: Vec<CheckResult> = rows
                .into_iter()
                .map(|c| c.into_result())
                .collect::<Result<_>>()?;
            let checks = Arc::new(checks);
            self.0.checks.insert(id, checks.clone());
            out.insert(id, checks);
        }
        Ok(out)
    }

    /// Whole answers built from saved reports; dropped with their reports.
    pub fn answers(&self) -> &AnswerStore {
        &self.0.answers
    }

    /// The checks of one report if they are in memory.
    pub fn cached_checks(&self, id: Uuid) -> Option<ReportChecks> {
        self.0.checks.get(&id)
    }

    /// Deletes a report and its results, drops it from memory and tells the other
    /// replicas. False when it did not exist.
    pub async fn delete(&self, id: Uuid) -> Result<bool> {
        let deleted = self.0.store.delete_report(id).await;
        // dropped whatever the outcome: a failed delete only costs a reload
        self.forget(id);
        if matches!(deleted, Ok(true)) {
            self.announce(id).await;
        }
        deleted
    }

    /// Drops reports deleted elsewhere in this process (retention) from memory and
    /// tells the other replicas.
    pub async fn deleted(&self, ids: &[Uuid]) {
        for id in ids {
            self.forget(*id);
            self.announce(*id).await;
        }
    }

    async fn announce(&self, id: Uuid) {
        if !self.0.announce {
            return;
        }
        let notice = self.0.store.notify(DELETION_CHANNEL, &id.to_string()).await;
        if let Err(e) = notice {
            // the other replicas still drop it at their next recheck
            tracing::warn!(report = %id, "delete not announced: {}", e.chain());
        }
    }

    /// Drops a report from memory.
    pub fn forget(&self, id: Uuid) {
        self.0.forget(id);
    }
}

impl Inner {
    /// Drops a report from memory.
    pub(super) fn forget(&self, id: Uuid) {
        self.headers.invalidate(&id);
        self.checks.invalidate(&id);
        self.answers.forget(id);
    }

    /// Drops every report from memory (announcements may have been missed).
    pub(super) fn forget_all(&self) {
        self.headers.invalidate_all();
        self.checks.invalidate_all();
        self.answers.forget_all();
    }
}
