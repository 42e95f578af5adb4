//! The figures /metrics takes from the database (the same on every replica) for
//! the alert rules and the dashboard in deploy/monitoring, and their exposition.
//! Every family has one series per cluster, per schedule, per cluster and state,
//! or per failing check of the fleet (capped): never per check and node.

use super::label;
use std::fmt::Write;

/// How a finished scan ended, as the `outcome` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    Cancelled,
    Interrupted,
}

impl Outcome {
    /// Every outcome, in the order they are written.
    pub const ALL: [Outcome; 4] = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::Interrupted,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Interrupted => "interrupted",
        }
    }
}

/// Where a skip (a skipped test) stands, as the `state` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipState {
    /// Applied, and not ending within `EXPIRING_WITHIN_DAYS`.
    Active,
    /// Applied, but ends within `EXPIRING_WITHIN_DAYS`.
    Expiring,
    /// No longer applied; its check does not fail in the latest report.
    Expired,
    /// No longer applied, and its check fails (or errs) in the latest report.
    ExpiredFailing,
}

/// A skip ending within this many days counts as expiring.
pub const EXPIRING_WITHIN_DAYS: i64 = 7;

impl SkipState {
    /// Every state, in the order they are written.
    pub const ALL: [SkipState; 4] = [
        SkipState::Active,
        SkipState::Expiring,
        SkipState::Expired,
        SkipState::ExpiredFailing,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            SkipState::Active => "active",
            SkipState::Expiring => "expiring",
            SkipState::Expired => "expired",
            SkipState::ExpiredFailing => "expired_failing",
        }
    }
}

/// One active cluster's figures; `None` where there is nothing to tell yet.
#[derive(Debug, Clone, Default)]
pub struct ClusterFigures {
    pub cluster: String,
    /// Finished scans per outcome, in `Outcome::ALL` order.
    pub outcomes: [i64; 4],
    /// When its newest successful scan ended (Unix seconds).
    pub last_success: Option<f64>,
    /// How long the scan of its latest report took.
    pub last_duration: Option<f64>,
    /// Checks failing in its latest report that did not fail in the report before.
    pub new_failures: Option<i64>,
    /// Its skips per state, in `SkipState::ALL` order; None: it has none.
    pub skips: Option<[i64; 4]>,
    /// The earliest end of a skip still applied (Unix seconds).
    pub next_expiry: Option<f64>,
}

/// One enabled schedule's figures.
#[derive(Debug, Clone)]
pub struct ScheduleFigures {
    pub cluster: String,
    pub schedule: String,
    /// The longest time between two of its runs, in seconds.
    pub interval: Option<f64>,
    pub created: f64,
    /// When its newest successful scan ended (Unix seconds).
    pub last_success: Option<f64>,
}

/// A check failing in the latest report of at least one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingCheck {
    pub benchmark: String,
    pub check: String,
    pub clusters: i64,
}

/// Most series of `check_failing_clusters`: the worst checks first.
pub const MAX_FAILING_CHECKS: usize = 500;

/// Everything /metrics tells from the database beyond the latest reports' counts.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub clusters: Vec<ClusterFigures>,
    pub schedules: Vec<ScheduleFigures>,
    pub failing_checks: Vec<FailingCheck>,
    /// The database's size in bytes, when it could be read.
    pub database_bytes: Option<i64>,
}

/// Writes one family's HELP and TYPE, then a sample per row.
fn family<'a>(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    rows: impl Iterator<Item = (String, f64)> + 'a,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, v) in rows {
        let _ = writeln!(out, "{name}{{{labels}}} {v}");
    }
}

fn cluster_label(c: &str) -> String {
    format!("cluster_name=\"{}\"", label(c))
}

/// The families of `f` under one name prefix (`cis_scan` or `compliance_scan`).
pub fn write_figures(out: &mut String, prefix: &str, f: &Figures) {
    let per_cluster = |pick: fn(&ClusterFigures) -> Option<f64>| {
        f.clusters
            .iter()
            .filter_map(move |c| pick(c).map(|v| (cluster_label(&c.cluster), v)))
    };
    family(
        out,
        &format!("{prefix}_scans_total"),
        "counter",
        "Finished scans by outcome (succeeded, failed, cancelled, interrupted)",
        f.clusters.iter().flat_map(|c| {
            Outcome::ALL.iter().zip(c.outcomes).map(|(o, n)| {
                (
                    format!("{},outcome=\"{}\"", cluster_label(&c.cluster), o.label()),
                    n as f64,
                )
            })
        }),
    );
    family(
        out,
        &format!("{prefix}_last_success_timestamp_seconds"),
        "gauge",
        "When the newest successful scan of the cluster ended (Unix time)",
        per_cluster(|c| c.last_success),
    );
    family(
        out,
        &format!("{prefix}_last_scan_duration_seconds"),
        "gauge",
        "How long the scan that wrote the cluster's latest report took",
        per_cluster(|c| c.last_duration),
    );
    family(
        out,
        &format!("{prefix}_new_failures"),
        "gauge",
        "Checks failing or erring in the latest report that did not in the report before",
        per_cluster(|c| c.new_failures.map(|n| n as f64)),
    );
    family(
        out,
        &format!("{prefix}_exceptions"),
        "gauge",
        "Exceptions (skipped tests) by state (active, expiring within 7 days, expired, expired_failing)",
        f.clusters.iter().flat_map(|c| {
            let counts = c.skips;
            SkipState::ALL.iter().enumerate().filter_map(move |(i, s)| {
                counts.map(|n| {
                    (
                        format!("{},state=\"{}\"", cluster_label(&c.cluster), s.label()),
                        n[i] as f64,
                    )
                })
            })
        }),
    );
    family(
        out,
        &format!("{prefix}_exception_next_expiry_timestamp_seconds"),
        "gauge",
        "When the cluster's first exception still applied ends (Unix time)",
        per_cluster(|c| c.next_expiry),
    );
    let schedule = |s: &ScheduleFigures| {
        format!(
            "{},schedule_id=\"{}\"",
            cluster_label(&s.cluster),
            label(&s.schedule)
        )
    };
    family(
        out,
        &format!("{prefix}_schedule_interval_seconds"),
        "gauge",
        "The longest time between two runs of an enabled schedule",
        f.schedules
            .iter()
            .filter_map(|s| s.interval.map(|v| (schedule(s), v))),
    );
    family(
        out,
        &format!("{prefix}_schedule_created_timestamp_seconds"),
        "gauge",
        "When an enabled schedule was created (Unix time)",
        f.schedules.iter().map(|s| (schedule(s), s.created)),
    );
    family(
        out,
        &format!("{prefix}_schedule_last_success_timestamp_seconds"),
        "gauge",
        "When the newest successful scan an enabled schedule queued ended (Unix time)",
        f.schedules
            .iter()
            .filter_map(|s| s.last_success.map(|v| (schedule(s), v))),
    );
    family(
        out,
        &format!("{prefix}_check_failing_clusters"),
        "gauge",
        "Clusters whose latest report fails (or errs on) the check, for checks failing somewhere",
        f.failing_checks.iter().map(|c| {
            (
                format!(
                    "scan_profile_name=\"{}\",check_id=\"{}\"",
                    label(&c.benchmark),
                    label(&c.check)
                ),
                c.clusters as f64,
            )
        }),
    );
    if let Some(bytes) = f.database_bytes {
        let name = format!("{prefix}_database_bytes");
        let _ = writeln!(
            out,
            "# HELP {name} Bytes the service's database takes (SQLite pages in use; PostgreSQL pg_database_size)\n# TYPE {name} gauge\n{name} {bytes}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_is_written_even_at_zero() {
        let f = Figures {
            clusters: vec![ClusterFigures {
                cluster: "a\"b".into(),
                outcomes: [2, 0, 0, 1],
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut out = String::new();
        write_figures(&mut out, "cis_scan", &f);
        assert!(
            out.contains("cis_scan_scans_total{cluster_name=\"a\\\"b\",outcome=\"failed\"} 0\n"),
            "{out}"
        );
        assert!(out.contains("outcome=\"interrupted\"} 1\n"), "{out}");
        // nothing known yet: no sample, only the family's HELP and TYPE
        assert!(!out.contains("cis_scan_new_failures{"), "{out}");
        assert!(!out.contains("cis_scan_exceptions{"), "{out}");
    }

    #[test]
    fn a_cluster_with_skips_has_every_state() {
        let f = Figures {
            clusters: vec![ClusterFigures {
                cluster: "demo".into(),
                skips: Some([1, 0, 0, 2]),
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut out = String::new();
        write_figures(&mut out, "compliance_scan", &f);
        let states: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("compliance_scan_exceptions{"))
            .collect();
        assert_eq!(states.len(), 4, "{out}");
        assert!(out.contains(
            "compliance_scan_exceptions{cluster_name=\"demo\",state=\"expired_failing\"} 2\n"
        ));
    }
}
