//! Results of evaluating a benchmark: per check, per node, with evidence.
//! These are the engine's output types; the CLI prints them and the service stores them.

use crate::engine::benchmark::Provider;
pub use crate::engine::read_mode::ReadMode;
use serde::{Deserialize, Serialize};

/// The verdict of a check, on one node or for the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Pass,
    Fail,
    Warn,
    Skip,
    NotApplicable,
    Error,
}

impl State {
    /// The name used in reports and CSV: PASS, FAIL, ...
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "PASS",
            State::Fail => "FAIL",
            State::Warn => "WARN",
            State::Skip => "SKIP",
            State::NotApplicable => "NOT_APPLICABLE",
            State::Error => "ERROR",
        }
    }

    /// Parses the report name back (case-insensitive).
    pub fn parse(s: &str) -> Option<State> {
        [
            State::Pass,
            State::Fail,
            State::Warn,
            State::Skip,
            State::NotApplicable,
            State::Error,
        ]
        .into_iter()
        .find(|st| st.as_str().eq_ignore_ascii_case(s))
    }

    /// How strongly a node's state speaks for the whole check: a failure
    /// anywhere outweighs an error, which outweighs a warning, then a pass.
    pub fn weight(self) -> u8 {
        match self {
            State::Fail => 6,
            State::Error => 5,
            State::Warn => 4,
            State::Skip => 3,
            State::Pass => 2,
            State::NotApplicable => 1,
        }
    }
}

/// A check's result on one node (or "cluster" for cluster-wide checks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeResult {
    pub node: String,
    pub state: State,
    /// The value that was seen, e.g. `--profiling=true`.
    pub actual: String,
    /// The condition the check wants, in words.
    pub expected: String,
    /// Where the value came from: process, manifest, config file, default.
    pub source: String,
    /// Why the state is what it is when that is not obvious (manual, unscored, not applicable, error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How to check it by hand: the command a person runs on the node (or, for
    /// cluster checks, with kubectl) to see the fact that decided the state
    /// (`engine::audit`); empty when there is nothing to run.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub audit: String,
}

/// One check's result across the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    /// Top-level section: "1" to "5".
    pub section: String,
    /// master, etcd, controlplane, node or policies.
    pub target: String,
    pub state: State,
    pub scored: bool,
    /// True when cis-scan judged it from facts; false for manual review.
    pub automated: bool,
    /// The rule behind the check (shared by every benchmark version).
    pub rule: String,
    pub remediation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub nodes: Vec<NodeResult>,
}

/// Count of checks per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total: u32,
    pub pass: u32,
    pub fail: u32,
    pub warn: u32,
    pub skip: u32,
    pub not_applicable: u32,
    pub error: u32,
}

impl Summary {
    /// Counts the states of these results.
    pub fn of(results: &[CheckResult]) -> Self {
        let mut s = Summary::default();
        for r in results {
            s.add(r.state);
        }
        s
    }

    /// Counts one more check.
    pub fn add(&mut self, state: State) {
        self.total += 1;
        match state {
            State::Pass => self.pass += 1,
            State::Fail => self.fail += 1,
            State::Warn => self.warn += 1,
            State::Skip => self.skip += 1,
            State::NotApplicable => self.not_applicable += 1,
            State::Error => self.error += 1,
        }
    }
}

/// A test the user chose to skip, with why, who and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skip {
    pub id: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub at: Option<String>,
    /// Only these nodes' results become SKIP; empty = every node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

impl Skip {
    /// True when the skip covers this node's result.
    pub fn covers(&self, node: &str) -> bool {
        self.nodes.is_empty() || self.nodes.iter().any(|n| n == node)
    }
}

/// A node left out of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedNode {
    pub node: String,
    pub reason: String,
}

/// A whole evaluation, and the one report document: `check --format json`
/// prints it and the service stores it and serves it (GET /reports/{id}/json)
/// through this serde form, so the two cannot drift apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub benchmark: String,
    pub benchmark_title: String,
    /// Why this benchmark was chosen, e.g. "cis-1.11 for Kubernetes 1.30".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Names of the nodes whose facts were evaluated.
    pub nodes: Vec<String>,
    /// Nodes left out of node checks, with why (Windows nodes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ExcludedNode>,
    /// Who runs the cluster: generic, rke2, k3s, eks, gke, aks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// How nodes were read: snapshot, jobs or agentless.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ReadMode>,
    /// True when unscored and manual checks were left out of the results and
    /// the summary (as Rancher 2.4 reported only scored recommendations).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scored_only: bool,
    pub summary: Summary,
    pub results: Vec<CheckResult>,
}

/// A report without its results: what an export writes before the first check. The
/// same fields as [`Report`] in the same order (the JSON export writes this, then the
/// results, and must print exactly what serializing the whole `Report` prints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportHead {
    pub benchmark: String,
    pub benchmark_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    pub nodes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ExcludedNode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ReadMode>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scored_only: bool,
    pub summary: Summary,
}

impl Report {
    /// Everything but the results.
    pub fn head(&self) -> ReportHead {
        ReportHead {
            benchmark: self.benchmark.clone(),
            benchmark_title: self.benchmark_title.clone(),
            benchmark_reason: self.benchmark_reason.clone(),
            kubernetes_version: self.kubernetes_version.clone(),
            nodes: self.nodes.clone(),
            excluded: self.excluded.clone(),
            provider: self.provider,
            mode: self.mode,
            scored_only: self.scored_only,
            summary: self.summary,
        }
    }
}

#[cfg(test)]
impl CheckResult {
    /// A check for unit tests: `id` in the section its id starts with, one
    /// state, scored and automated, no text and no nodes; tests set the rest.
    pub(crate) fn sample(id: &str, state: State) -> Self {
        CheckResult {
            id: id.into(),
            title: String::new(),
            section: id.split('.').next().unwrap_or(id).into(),
            target: "master".into(),
            state,
            scored: true,
            automated: true,
            rule: String::new(),
            remediation: String::new(),
            reason: None,
            nodes: Vec::new(),
        }
    }
}
