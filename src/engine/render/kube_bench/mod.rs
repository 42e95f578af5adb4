//! kube-bench's `--json` shape, so DefectDojo's kube-bench parser and other
//! kube-bench tooling read a cis-scan report unchanged. One `Controls` entry
//! per node and node type (kube-bench runs per node; a section none of whose
//! checks applies to a node is left out for it); `node_name` and the
//! top-level `cis_scan` block are additions that kube-bench readers ignore.

mod renderer;

pub use renderer::KubeBench;

use crate::engine::report::{CheckResult, NodeResult, State};
use serde::{Deserialize, Serialize};

/// The whole document: `{"Controls": [...], "Totals": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    #[serde(rename = "Controls")]
    pub controls: Vec<Controls>,
    #[serde(rename = "Totals", default)]
    pub totals: Totals,
    /// Which report, cluster, benchmark and scan this is (absent in kube-bench's own output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cis_scan: Option<Provenance>,
}

/// Identity of the exported report; fields without a value are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_id: Option<String>,
    pub scan_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub benchmark: String,
    pub started_at: String,
    pub finished_at: String,
}

/// kube-bench's PASS/FAIL/WARN/INFO counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub total_pass: u32,
    pub total_fail: u32,
    pub total_warn: u32,
    pub total_info: u32,
}

/// One benchmark section as run on one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Controls {
    pub id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_version: Option<String>,
    pub text: String,
    pub node_type: String,
    /// The node the results were read on ("cluster" for cluster-wide checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    pub tests: Vec<Group>,
    #[serde(flatten)]
    pub totals: Totals,
}

/// A subsection ("1.2") and its checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub section: String,
    pub pass: u32,
    pub fail: u32,
    pub warn: u32,
    pub info: u32,
    pub desc: String,
    pub results: Vec<Check>,
}

/// One check's result on one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub test_number: String,
    pub test_desc: String,
    pub audit: String,
    #[serde(rename = "AuditConfig", default)]
    pub audit_config: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub remediation: String,
    pub test_info: Vec<String>,
    pub status: String,
    pub actual_value: String,
    pub scored: bool,
    pub expected_result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// kube-bench knows PASS, FAIL, WARN and INFO. An error is a WARN with its
/// reason (kube-bench's own answer to an audit that cannot run), and skipped
/// or not-applicable checks are INFO, which DefectDojo does not import.
fn status(state: State) -> &'static str {
    match state {
        State::Pass => "PASS",
        State::Fail => "FAIL",
        State::Warn | State::Error => "WARN",
        State::Skip | State::NotApplicable => "INFO",
    }
}

/// The CIS section titles kube-bench prints, by cis-scan target.
fn section_text(target: &str) -> String {
    match target {
        "master" => "Control Plane Security Configuration".into(),
        "etcd" => "Etcd Node Configuration".into(),
        "controlplane" => "Control Plane Configuration".into(),
        "node" => "Worker Node Security Configuration".into(),
        "policies" => "Kubernetes Policies".into(),
        other => other.to_string(),
    }
}

fn subsection(id: &str) -> String {
    match id.rsplit_once('.') {
        Some((head, _)) => head.to_string(),
        None => id.to_string(),
    }
}

fn count(t: &mut Totals, status: &str) {
    match status {
        "PASS" => t.total_pass += 1,
        "FAIL" => t.total_fail += 1,
        "WARN" => t.total_warn += 1,
        _ => t.total_info += 1,
    }
}

fn check(c: &CheckResult, n: &NodeResult) -> Check {
    let reason = n.reason.clone().or_else(|| c.reason.clone()).or_else(|| {
        (!c.automated && n.state == State::Warn).then(|| "Test marked as a manual test".into())
    });
    let kind = match (n.state, c.automated) {
        (State::Skip, _) => "skip",
        (_, false) => "manual",
        _ => "",
    };
    Check {
        test_number: c.id.clone(),
        test_desc: c.title.clone(),
        audit: n.audit.clone(),
        audit_config: String::new(),
        kind: kind.into(),
        remediation: c.remediation.clone(),
        test_info: vec![c.remediation.clone()],
        status: status(n.state).into(),
        actual_value: n.actual.clone(),
        scored: c.scored,
        expected_result: n.expected.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const RESULT: &str =
        include_str!("../../../../tests/api/fixtures/kube-bench/cmd_testdata_result.json");
    const CONTROLS: &str = include_str!(
        "../../../../tests/api/fixtures/kube-bench/cmd_testdata_controlsCollection.json"
    );

    #[test]
    fn a_kube_bench_result_sample_round_trips_through_the_emitted_types() {
        let original: Value = serde_json::from_str(RESULT).unwrap();
        let parsed: Document = serde_json::from_str(RESULT).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), original);
    }

    #[test]
    fn a_kube_bench_controls_collection_sample_round_trips_through_the_emitted_types() {
        let original: Value = serde_json::from_str(CONTROLS).unwrap();
        let parsed: Vec<Controls> = serde_json::from_str(CONTROLS).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), original);
    }

    #[test]
    fn errors_become_warn_and_skips_info_as_kube_bench_has_no_such_states() {
        assert_eq!(status(State::Error), "WARN");
        assert_eq!(status(State::Skip), "INFO");
        assert_eq!(status(State::NotApplicable), "INFO");
        assert_eq!(status(State::Fail), "FAIL");
    }
}
