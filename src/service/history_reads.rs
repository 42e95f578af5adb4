//! What `checkHistory` and `compareReports` read, kept small: a check's state per
//! report comes from the compact states on the report rows (`store::check_states`),
//! and a comparison reads per-node rows only for the checks whose state moved or
//! that fail in both reports. Reports saved before the compact states fall back to
//! their check rows, without evidence.

use crate::engine::report::{CheckResult, State};
use crate::error::Result;
use crate::service::report_cache::ReportCache;
use crate::service::report_comparison::{self, Comparison};
use crate::service::store::{check_states, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// A check's state in one report of a cluster's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub report_id: Uuid,
    pub created_at: DateTime<Utc>,
    /// None when the report lacks the check.
    pub state: Option<State>,
}

/// Check `check_id`'s state in each of the cluster's `last` newest reports, newest
/// first: two queries at most, however large the reports.
pub async fn check_history(
    store: &Store,
    cluster_id: &str,
    check_id: &str,
    last: u64,
) -> Result<Vec<HistoryEntry>> {
    let rows = store.recent_check_states(cluster_id, last).await?;
    let mut states: HashMap<Uuid, Option<State>> = HashMap::new();
    let mut legacy = Vec::new();
    for r in &rows {
        match r.check_states.as_deref().and_then(check_states::decode) {
            Some(pairs) => {
                let state = pairs.into_iter().find(|(id, _)| id == check_id);
                states.insert(r.id, state.map(|(_, s)| s));
            }
            None => legacy.push(r.id),
        }
    }
    if !legacy.is_empty() {
        let found = store.check_state_in(&legacy, check_id).await?;
        for id in legacy {
            states.insert(id, found.get(&id).copied());
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            state: states.get(&r.id).copied().flatten(),
            report_id: r.id,
            created_at: r.created_at,
        })
        .collect())
}

/// Each report's check states in benchmark order, from the compact column or, for
/// reports saved before it, from their check rows.
async fn states_of(store: &Store, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<(String, State)>>> {
    let mut out = HashMap::new();
    let mut legacy = Vec::new();
    for (id, stored) in store.compact_states_of(ids).await? {
        match stored.as_deref().and_then(check_states::decode) {
            Some(states) => {
                out.insert(id, states);
            }
            None => legacy.push(id),
        }
    }
    store
        .for_each_check_state(&legacy, |row| {
            if let Some(state) = State::parse(&row.state) {
                let list: &mut Vec<(String, State)> = out.entry(row.report_id).or_default();
                list.push((row.check_id, state));
            }
        })
        .await?;
    Ok(out)
}

fn failing(s: Option<State>) -> bool {
    matches!(s, Some(State::Fail | State::Error))
}

/// The checks a comparison lists: a state that moved (a check added or gone
/// included), or failing in both. The others are left out of every list.
fn listed_checks(base: &[(String, State)], head: &[(String, State)]) -> Vec<String> {
    let before: HashMap<&str, State> = base.iter().map(|(id, s)| (id.as_str(), *s)).collect();
    let after: HashMap<&str, State> = head.iter().map(|(id, s)| (id.as_str(), *s)).collect();
    let ids = head.iter().map(|(id, _)| id).chain(
        base.iter()
            .map(|(id, _)| id)
            .filter(|id| !after.contains_key(id.as_str())),
    );
    ids.filter(|id| {
        let (b, a) = (
            before.get(id.as_str()).copied(),
            after.get(id.as_str()).copied(),
        );
        b != a || (failing(b) && failing(a))
    })
    .cloned()
    .collect()
}

/// Compares two reports (of one cluster, as the caller checked) reading per-node
/// rows only for the checks the comparison lists; reports in memory are read there.
pub async fn compare_reports(
    reports: &ReportCache,
    store: &Store,
    base: Uuid,
    head: Uuid,
) -> Result<Comparison> {
    if let (Some(b), Some(h)) = (reports.cached_checks(base), reports.cached_checks(head)) {
        return Ok(report_comparison::compare(&b, &h));
    }
    let states = states_of(store, &[base, head]).await?;
    let of = |id| states.get(&id).map(Vec::as_slice).unwrap_or_default();
    let listed = listed_checks(of(base), of(head));
    if listed.is_empty() {
        return Ok(Comparison::default());
    }
    let mut rows = store.checks_named(&[base, head], &listed).await?;
    let mut checks = |id| -> Result<Vec<CheckResult>> {
        rows.remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.into_result())
            .collect()
    };
    let (b, h) = (checks(base)?, checks(head)?);
    Ok(report_comparison::compare(&b, &h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(list: &[(&str, State)]) -> Vec<(String, State)> {
        list.iter().map(|(id, s)| (id.to_string(), *s)).collect()
    }

    #[test]
    fn only_moved_and_still_failing_checks_are_read() {
        let base = states(&[
            ("same-pass", State::Pass),
            ("same-warn", State::Warn),
            ("still", State::Fail),
            ("moved", State::Pass),
            ("gone", State::Pass),
        ]);
        let head = states(&[
            ("same-pass", State::Pass),
            ("same-warn", State::Warn),
            ("still", State::Error),
            ("moved", State::Fail),
            ("new", State::Warn),
        ]);
        assert_eq!(
            listed_checks(&base, &head),
            ["still", "moved", "new", "gone"]
        );
    }

    #[test]
    fn identical_reports_read_no_rows() {
        let s = states(&[("a", State::Pass), ("b", State::Warn)]);
        assert!(listed_checks(&s, &s).is_empty());
    }
}
