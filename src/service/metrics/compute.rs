//! The pure part of gathering /metrics figures: new failures between two
//! reports' compact states, where a skip stands, the fleet's failing
//! checks, and folding grouped scan rows and skips into per-cluster figures.

use super::figures::{
    ClusterFigures, FailingCheck, Outcome, SkipState, EXPIRING_WITHIN_DAYS, MAX_FAILING_CHECKS,
};
use crate::engine::report::State;
use crate::service::scan::lifecycle::ScanState;
use crate::service::store::{ScanGroup, SkipRow};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// FAIL and ERROR both need someone's attention (as in compareReports).
pub fn failing(s: State) -> bool {
    matches!(s, State::Fail | State::Error)
}

/// How many checks fail in `head` that did not fail (or were absent) in `base`:
/// the length of compareReports' `newFailures`.
pub fn new_failures(base: &[(String, State)], head: &[(String, State)]) -> i64 {
    let before: HashSet<&str> = base
        .iter()
        .filter(|(_, s)| failing(*s))
        .map(|(id, _)| id.as_str())
        .collect();
    head.iter()
        .filter(|(id, s)| failing(*s) && !before.contains(id.as_str()))
        .count() as i64
}

/// Where a skip stands at `now`; `check_fails`: its check fails in the latest report.
pub fn skip_state(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    check_fails: bool,
) -> SkipState {
    match expires_at {
        Some(e) if e <= now && check_fails => SkipState::ExpiredFailing,
        Some(e) if e <= now => SkipState::Expired,
        Some(e) if e - now <= chrono::Duration::days(EXPIRING_WITHIN_DAYS) => SkipState::Expiring,
        _ => SkipState::Active,
    }
}

/// The checks failing in at least one of these latest reports (benchmark, states),
/// with how many clusters fail each: worst first, at most `MAX_FAILING_CHECKS`.
pub fn failing_checks<'a>(
    latest: impl Iterator<Item = (&'a str, &'a [(String, State)])>,
) -> Vec<FailingCheck> {
    let mut counts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for (benchmark, states) in latest {
        for (id, _) in states.iter().filter(|(_, s)| failing(*s)) {
            *counts.entry((benchmark, id.as_str())).or_default() += 1;
        }
    }
    let mut out: Vec<FailingCheck> = counts
        .into_iter()
        .map(|((b, c), n)| FailingCheck {
            benchmark: b.to_string(),
            check: c.to_string(),
            clusters: n,
        })
        .collect();
    // a stable sort: equal counts keep benchmark and check order
    out.sort_by_key(|c| std::cmp::Reverse(c.clusters));
    out.truncate(MAX_FAILING_CHECKS);
    out
}

fn outcome_of(state: &str) -> Option<Outcome> {
    [
        (ScanState::Succeeded, Outcome::Succeeded),
        (ScanState::Failed, Outcome::Failed),
        (ScanState::Cancelled, Outcome::Cancelled),
        (ScanState::Interrupted, Outcome::Interrupted),
    ]
    .into_iter()
    .find(|(s, _)| s.as_str() == state)
    .map(|(_, o)| o)
}

/// Unix seconds.
pub fn unix(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

/// Adds finished scans to their clusters' outcome counts and last successes;
/// returns when each schedule's newest successful scan ended.
pub fn add_scan_groups(
    clusters: &mut [ClusterFigures],
    groups: &[ScanGroup],
) -> HashMap<Uuid, DateTime<Utc>> {
    let mut by_schedule = HashMap::new();
    for g in groups {
        let (Some(c), Some(o)) = (
            clusters.iter_mut().find(|c| c.cluster == g.cluster_id),
            outcome_of(&g.state),
        ) else {
            continue;
        };
        if let Some(i) = Outcome::ALL.iter().position(|x| *x == o) {
            c.outcomes[i] += g.n;
        }
        if let (Outcome::Succeeded, Some(at)) = (o, g.newest) {
            c.last_success = Some(c.last_success.map_or(unix(at), |v| v.max(unix(at))));
            if let Some(s) = g.schedule_id {
                by_schedule.insert(s, at);
            }
        }
    }
    by_schedule
}

/// Adds skips to their clusters' counts per state and next expiry;
/// `failing_now` holds, per cluster, the checks failing in its latest report.
pub fn add_skips(
    clusters: &mut [ClusterFigures],
    skips: &[SkipRow],
    failing_now: &HashMap<&str, HashSet<&str>>,
    now: DateTime<Utc>,
) {
    for e in skips {
        let Some(c) = clusters.iter_mut().find(|c| c.cluster == e.cluster_id) else {
            continue;
        };
        let fails = failing_now
            .get(e.cluster_id.as_str())
            .is_some_and(|f| f.contains(e.test_id.as_str()));
        let state = skip_state(e.expires_at, now, fails);
        let counts = c.skips.get_or_insert([0; 4]);
        if let Some(i) = SkipState::ALL.iter().position(|x| *x == state) {
            counts[i] += 1;
        }
        if let Some(at) = e.expires_at.filter(|at| *at > now) {
            c.next_expiry = Some(c.next_expiry.map_or(unix(at), |v| v.min(unix(at))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn states(pairs: &[(&str, State)]) -> Vec<(String, State)> {
        pairs.iter().map(|(id, s)| (id.to_string(), *s)).collect()
    }

    #[test]
    fn new_failures_count_checks_failing_now_and_not_before() {
        let base = states(&[("a", State::Fail), ("b", State::Pass), ("c", State::Warn)]);
        let head = states(&[
            ("a", State::Error),
            ("b", State::Fail),
            ("c", State::Error),
            ("d", State::Fail),
            ("e", State::Pass),
        ]);
        // a failed before; b, c and the new check d did not
        assert_eq!(new_failures(&base, &head), 3);
        assert_eq!(new_failures(&head, &head), 0);
    }

    #[test]
    fn a_skip_is_expiring_a_week_before_its_end_and_failing_after_it() {
        let now = Utc::now();
        let st = |e: Option<DateTime<Utc>>, f| skip_state(e, now, f);
        assert_eq!(st(None, true), SkipState::Active);
        assert_eq!(st(Some(now + Duration::days(8)), true), SkipState::Active);
        assert_eq!(st(Some(now + Duration::days(6)), true), SkipState::Expiring);
        assert_eq!(
            st(Some(now - Duration::hours(1)), false),
            SkipState::Expired
        );
        assert_eq!(st(Some(now), true), SkipState::ExpiredFailing);
    }

    #[test]
    fn failing_checks_are_counted_per_benchmark_worst_first() {
        let one = states(&[
            ("1.1", State::Fail),
            ("1.2", State::Error),
            ("1.3", State::Pass),
        ]);
        let two = states(&[("1.2", State::Fail)]);
        let other = states(&[("1.2", State::Fail)]);
        let out = failing_checks(
            [
                ("cis-1.11", &one[..]),
                ("cis-1.11", &two[..]),
                ("cis-1.8", &other[..]),
            ]
            .into_iter(),
        );
        let got: Vec<(&str, &str, i64)> = out
            .iter()
            .map(|c| (c.benchmark.as_str(), c.check.as_str(), c.clusters))
            .collect();
        assert_eq!(
            got,
            [
                ("cis-1.11", "1.2", 2),
                ("cis-1.11", "1.1", 1),
                ("cis-1.8", "1.2", 1)
            ]
        );
    }

    #[test]
    fn failing_checks_are_capped() {
        let many: Vec<(String, State)> = (0..MAX_FAILING_CHECKS + 50)
            .map(|i| (format!("x.{i}"), State::Fail))
            .collect();
        assert_eq!(
            failing_checks([("b", &many[..])].into_iter()).len(),
            MAX_FAILING_CHECKS
        );
    }

    #[test]
    fn scan_groups_fold_into_outcomes_and_last_successes() {
        let at = |m| Utc::now() - Duration::minutes(m);
        let sched = Uuid::new_v4();
        let group = |schedule, state: &str, n, newest| ScanGroup {
            cluster_id: "demo".into(),
            schedule_id: schedule,
            state: state.into(),
            n,
            newest: Some(newest),
        };
        let (manual, scheduled) = (at(5), at(60));
        let mut clusters = vec![ClusterFigures {
            cluster: "demo".into(),
            ..Default::default()
        }];
        let by_schedule = add_scan_groups(
            &mut clusters,
            &[
                group(None, "SUCCEEDED", 2, manual),
                group(Some(sched), "SUCCEEDED", 1, scheduled),
                group(Some(sched), "FAILED", 3, at(1)),
                group(None, "INTERRUPTED", 1, at(2)),
            ],
        );
        assert_eq!(clusters[0].outcomes, [3, 3, 0, 1]);
        assert_eq!(clusters[0].last_success, Some(unix(manual)));
        assert_eq!(by_schedule[&sched], scheduled);
    }
}
