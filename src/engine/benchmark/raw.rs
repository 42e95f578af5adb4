//! The shapes of the definition files under `benchmarks/`, as written by people.
//! `load` turns them into the validated types of `model`.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `components.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponents {
    pub components: BTreeMap<String, RawComponent>,
}

/// One component's defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComponent {
    pub name: String,
    #[serde(default)]
    pub flag_defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub config_defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub config_keys: BTreeMap<String, String>,
    #[serde(default)]
    pub admission_defaults: Vec<String>,
    #[serde(default)]
    pub config_replaces_flags: bool,
}

/// A file of rules under `rules/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    pub rules: Vec<RawRule>,
}

/// One rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub title: String,
    pub component: String,
    #[serde(default)]
    pub test: Option<RawCondition>,
    #[serde(default)]
    pub manual: Option<String>,
    pub remediation: String,
    #[serde(default)]
    pub kube_bench: Option<RawKubeBench>,
}

/// `kube_bench: {differs_when: fail, note: "..."}` on a rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKubeBench {
    pub differs_when: String,
    pub note: String,
}

/// A condition: exactly one of the subject keys (all, any, flag, gate, unit,
/// plugin, file, encryption_providers, audit_policy, event_rate_limit, policy)
/// plus the keys that go with it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub all: Option<Vec<RawCondition>>,
    pub any: Option<Vec<RawCondition>>,
    pub flag: Option<String>,
    pub gate: Option<String>,
    pub unit: Option<String>,
    pub plugin: Option<String>,
    pub enabled: Option<bool>,
    pub file: Option<String>,
    #[serde(rename = "match")]
    pub pattern: Option<String>,
    pub mode: Option<String>,
    pub owner: Option<String>,
    pub missing: Option<String>,
    pub encryption_providers: Option<Vec<String>>,
    /// `audit_policy: true`: the audit policy file's content.
    pub audit_policy: Option<bool>,
    /// `event_rate_limit: true`: EventRateLimit enabled, its limits reported as a note.
    pub event_rate_limit: Option<bool>,
    /// With `flag`: "component --flag" naming a file that must be a different one
    /// (by path and content), e.g. `distinct_from: apiserver --client-ca-file`.
    pub distinct_from: Option<String>,
    pub policy: Option<String>,
    pub set: Option<bool>,
    pub eq: Option<String>,
    pub ne: Option<String>,
    pub gte: Option<f64>,
    pub lte: Option<f64>,
    pub has: Option<String>,
    pub lacks: Option<String>,
    pub only: Option<Vec<String>>,
    pub starts_with: Option<Vec<String>>,
    pub default: Option<String>,
}

/// A benchmark version file (`cis-1.8.yaml`, ...).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBenchmark {
    pub id: String,
    pub title: String,
    /// `rke2`, `k3s`, `eks`, `gke`, `aks` or `generic` (the default).
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub kubernetes: Option<RawRange>,
    pub sections: Vec<RawSection>,
    pub checks: Vec<RawCheck>,
}

/// The Kubernetes versions a benchmark is meant for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    pub min: Option<String>,
    pub max: Option<String>,
}

/// A section heading; top-level sections name the node role they target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub target: Option<String>,
}

/// A check id mapped to a rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub id: String,
    pub rule: String,
    #[serde(default)]
    pub scored: Option<bool>,
    /// "automated" (default) or "manual": the benchmark's own label.
    #[serde(default)]
    pub assessment: Option<String>,
    /// Overrides the rule's title where this version words it differently.
    #[serde(default)]
    pub title: Option<String>,
    /// The check does not apply under this benchmark: NOT_APPLICABLE on every node, with this reason.
    #[serde(default)]
    pub skip: Option<String>,
}

/// A benchmark file that takes another version's checks whole
/// (`extends: cis-1.12`) and lists only what this version changes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtension {
    pub id: String,
    pub title: String,
    // the header parse reads these two; here they are only checked to be well-formed
    #[serde(default)]
    #[allow(dead_code)]
    pub provider: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    pub kubernetes: Option<RawRange>,
    pub extends: String,
    #[serde(default)]
    pub changes: Vec<RawChange>,
}

/// What an extending version words differently for one of the base's checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    pub id: String,
    /// Replaces the remediation of the rule the check runs, for this version only.
    pub remediation: String,
}
