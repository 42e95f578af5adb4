//! Prometheus metrics: the gauges and counter Rancher's cis-operator exports
//! (so existing alert rules keep working), the figures the rules and dashboard
//! in deploy/monitoring use (`figures`), plus scan duration, queue length and
//! HTTP request metrics. Written in the text exposition format by hand: a few
//! metric families do not need a registry crate.

mod compute;
pub mod figures;
mod gather;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of histogram buckets, in seconds.
const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const SCAN_BUCKETS: &[f64] = &[
    0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// A cumulative histogram.
#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], v: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; bounds.len()];
        }
        for (i, b) in bounds.iter().enumerate() {
            if v <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, b) in bounds.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {}",
                self.counts.get(i).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// In-process observations (per replica).
#[derive(Debug, Default)]
pub struct Metrics {
    http_requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    http_duration: Mutex<Histogram>,
    scan_duration: Mutex<BTreeMap<String, Histogram>>,
    /// What gathering remembers between scrapes.
    memo: gather::Memo,
}

/// The methods counted by name; any other method string counts as `other`,
/// so clients cannot add label values (series) at will.
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The label value for an HTTP method.
pub fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("other")
}

/// The per-report gauges and the completed-scans counter under one name prefix.
fn write_report_gauges(
    out: &mut String,
    prefix: &str,
    gauges: &[ClusterGauges],
    figures: &figures::Figures,
) {
    for (name, help, pick) in [
        (
            "num_tests_total",
            "Number of checks in the latest report",
            (|g: &ClusterGauges| g.total) as fn(&ClusterGauges) -> i64,
        ),
        (
            "num_tests_pass",
            "Checks that passed in the latest report",
            |g| g.pass,
        ),
        (
            "num_tests_fail",
            "Checks that failed (or erred) in the latest report",
            |g| g.fail,
        ),
        (
            "num_tests_warn",
            "Checks that warned in the latest report",
            |g| g.warn,
        ),
        (
            "num_tests_skipped",
            "Checks skipped in the latest report",
            |g| g.skip,
        ),
        (
            "num_tests_na",
            "Checks not applicable in the latest report",
            |g| g.na,
        ),
    ] {
        let name = format!("{prefix}_{name}");
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for g in gauges {
            let _ = writeln!(
                out,
                "{name}{{cluster_name=\"{}\",scan_name=\"{}\",scan_profile_name=\"{}\"}} {}",
                label(&g.cluster),
                label(&g.scan),
                label(&g.profile),
                pick(g)
            );
        }
    }
    let _ = writeln!(out, "# HELP {prefix}_num_scans_complete Scans that finished\n# TYPE {prefix}_num_scans_complete counter");
    for c in &figures.clusters {
        let _ = writeln!(
            out,
            "{prefix}_num_scans_complete{{cluster_name=\"{}\"}} {}",
            label(&c.cluster),
            c.outcomes.iter().sum::<i64>()
        );
    }
}

/// Escapes a label value.
pub fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One cluster's latest report, for the cis-operator gauges.
#[derive(Debug, Clone)]
pub struct ClusterGauges {
    pub cluster: String,
    pub scan: String,
    pub profile: String,
    pub total: i64,
    pub pass: i64,
    pub fail: i64,
    pub warn: i64,
    pub skip: i64,
    pub na: i64,
}

impl Metrics {
    /// Counts an HTTP request; `route` is the matched pattern (or one label for
    /// unmatched paths), never the raw path; `method` is reduced to a fixed set.
    pub fn observe_http(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *self
            .http_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((method_label(method).into(), route.into(), status))
            .or_default() += 1;
        self.http_duration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .observe(HTTP_BUCKETS, seconds);
    }

    /// Records how long a finished scan took.
    pub fn observe_scan(&self, cluster: &str, seconds: f64) {
        self.scan_duration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(cluster.into())
            .or_default()
            .observe(SCAN_BUCKETS, seconds);
    }

    /// The text exposition: database-backed figures are passed in so every replica reports the same.
    pub fn render(
        &self,
        gauges: &[ClusterGauges],
        figures: &figures::Figures,
        queued: i64,
    ) -> String {
        let mut out = String::new();
        let durations = self
            .scan_duration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        // cis-operator's names, and compliance-operator's (Rancher 2.12+), same labels
        for prefix in ["cis_scan", "compliance_scan"] {
            write_report_gauges(&mut out, prefix, gauges, figures);
            figures::write_figures(&mut out, prefix, figures);
            let name = format!("{prefix}_scan_duration_seconds");
            let _ = writeln!(
                out,
                "# HELP {name} How long scans took on this replica\n# TYPE {name} histogram"
            );
            for (cluster, h) in &durations {
                let labels = format!("cluster_name=\"{}\"", label(cluster));
                h.write(&mut out, &name, &labels, SCAN_BUCKETS);
            }
        }
        let _ = writeln!(out, "# HELP cis_scan_queue_length Scans waiting to start\n# TYPE cis_scan_queue_length gauge\ncis_scan_queue_length {queued}");
        let _ = writeln!(out, "# HELP cis_scan_http_requests_total HTTP requests served by this replica\n# TYPE cis_scan_http_requests_total counter");
        for ((m, r, s), n) in self
            .http_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "cis_scan_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}",
                label(r)
            );
        }
        let _ = writeln!(out, "# HELP cis_scan_http_request_duration_seconds HTTP request latency on this replica\n# TYPE cis_scan_http_request_duration_seconds histogram");
        self.http_duration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .write(
                &mut out,
                "cis_scan_http_request_duration_seconds",
                "",
                HTTP_BUCKETS,
            );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        let m = Metrics::default();
        for i in 0..50 {
            m.observe_http(&format!("XMETHOD{i:04}"), "unmatched", 405, 0.001);
        }
        m.observe_http("get", "/healthz", 200, 0.001);
        m.observe_http("GET", "/healthz", 200, 0.001);
        let text = m.render(&[], &Default::default(), 0);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("cis_scan_http_requests_total{"))
            .collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(text.contains("method=\"other\",route=\"unmatched\",status=\"405\"} 50"));
        // methods are case-sensitive: "get" is not GET
        assert!(text.contains("method=\"other\",route=\"/healthz\",status=\"200\"} 1"));
        assert!(text.contains("method=\"GET\",route=\"/healthz\",status=\"200\"} 1"));
        assert_eq!(method_label("OPTIONS"), "OPTIONS");
    }
}
