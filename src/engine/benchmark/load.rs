//! Parses and validates definition files. Every error names the file, the
//! rule or check id, and what is wrong.

use super::condition::condition;
use super::model::*;
use super::raw::*;
use crate::engine::error::{EngineError, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

fn def_err(file: &str, check: &str, message: impl Into<String>) -> EngineError {
    EngineError::Definition {
        file: file.to_string(),
        check: check.to_string(),
        message: message.into(),
    }
}

/// Reads a definition file's text: the JSON `build.rs` made of a shipped file, or
/// YAML (a user's file, or a shipped one that did not convert). JSON is tried only
/// for text that starts like an object, and a failure falls back to YAML, so a
/// user's file always gets the YAML parser's message, with its line.
pub(super) fn parse_definition<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T> {
    if text.starts_with("{\"") {
        if let Ok(v) = serde_json::from_str(text) {
            return Ok(v);
        }
    }
    serde_saphyr::from_str(text).map_err(|e| def_err(file, "(file)", e.to_string()))
}

/// Parses `components.yaml`.
pub fn parse_components(file: &str, text: &str) -> Result<BTreeMap<Component, ComponentSpec>> {
    let raw: RawComponents = parse_definition(file, text)?;
    let mut out = BTreeMap::new();
    for (key, c) in raw.components {
        let comp = Component::from_key(&key)
            .filter(|c| *c != Component::Cluster)
            .ok_or_else(|| def_err(file, &key, "unknown component"))?;
        out.insert(
            comp,
            ComponentSpec {
                name: c.name,
                flag_defaults: c.flag_defaults,
                config_defaults: c.config_defaults,
                config_keys: c.config_keys,
                admission_defaults: c.admission_defaults,
                config_replaces_flags: c.config_replaces_flags,
            },
        );
    }
    Ok(out)
}

/// Parses a rules file.
pub fn parse_rules(file: &str, text: &str) -> Result<Vec<Rule>> {
    let raw: RawRules = parse_definition(file, text)?;
    raw.rules
        .into_iter()
        .map(|r| {
            let id = r.id.clone();
            let err = |m: String| def_err(file, &id, m);
            if r.id.trim().is_empty() {
                return Err(def_err(file, "(rule)", "rule id is empty"));
            }
            if r.title.trim().is_empty() {
                return Err(err("title is empty".into()));
            }
            if r.remediation.trim().is_empty() {
                return Err(err("remediation is empty".into()));
            }
            let component = Component::from_key(&r.component)
                .ok_or_else(|| err(format!("unknown component '{}'", r.component)))?;
            let test = r
                .test
                .map(|t| condition(t, component))
                .transpose()
                .map_err(err)?;
            let kube_bench = r
                .kube_bench
                .map(|k| {
                    let when = match k.differs_when.as_str() {
                        "pass" => DiffersWhen::Pass,
                        "fail" => DiffersWhen::Fail,
                        o => {
                            return Err(err(format!(
                                "kube_bench.differs_when '{o}' must be pass or fail"
                            )))
                        }
                    };
                    if k.note.trim().is_empty() {
                        return Err(err("kube_bench.note is empty".into()));
                    }
                    Ok(KubeBenchDifference {
                        when,
                        note: k.note.trim().to_string(),
                    })
                })
                .transpose()?;
            Ok(Rule {
                id: r.id,
                title: r.title,
                component,
                test,
                manual: r.manual,
                remediation: r.remediation.trim().to_string(),
                kube_bench,
            })
        })
        .collect()
}

/// Parses "1.28" (or "v1.28.3") into (1, 28).
pub fn parse_kube_version(s: &str) -> Option<KubeVersion> {
    let s = s.trim().trim_start_matches('v');
    let mut parts = s.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    Some((major, minor.parse().ok()?))
}

fn target(file: &str, id: &str, s: &str) -> Result<Target> {
    Ok(match s {
        "master" => Target::Master,
        "etcd" => Target::Etcd,
        "controlplane" => Target::Controlplane,
        "node" => Target::Node,
        "policies" => Target::Policies,
        "managedservices" => Target::Managedservices,
        o => return Err(def_err(file, id, format!("unknown target '{o}'"))),
    })
}

/// Parses a benchmark version file against the known rules.
pub fn parse_benchmark(
    file: &str,
    text: &str,
    rules: &HashMap<String, Arc<Rule>>,
    components: Arc<BTreeMap<Component, ComponentSpec>>,
) -> Result<Benchmark> {
    let raw: RawBenchmark = parse_definition(file, text)?;
    let version = |v: &Option<String>, what: &str| -> Result<Option<KubeVersion>> {
        v.as_deref()
            .map(|s| {
                parse_kube_version(s).ok_or_else(|| {
                    def_err(
                        file,
                        &raw.id,
                        format!("kubernetes.{what} '{s}' is not a version like 1.28"),
                    )
                })
            })
            .transpose()
    };
    let (kmin, kmax) = match &raw.kubernetes {
        Some(r) => (version(&r.min, "min")?, version(&r.max, "max")?),
        None => (None, None),
    };
    let provider = match raw.provider.as_deref() {
        None => Provider::Generic,
        Some(p) => Provider::parse(p).ok_or_else(|| {
            def_err(
                file,
                &raw.id,
                format!("provider '{p}' must be one of generic, rke2, k3s, eks, gke, aks"),
            )
        })?,
    };
    let mut targets = HashMap::new();
    for s in &raw.sections {
        if let Some(t) = &s.target {
            targets.insert(s.id.clone(), target(file, &s.id, t)?);
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut checks = Vec::with_capacity(raw.checks.len());
    for c in raw.checks {
        if !seen.insert(c.id.clone()) {
            return Err(def_err(file, &c.id, "check id appears twice"));
        }
        let rule = rules
            .get(&c.rule)
            .ok_or_else(|| def_err(file, &c.id, format!("unknown rule '{}'", c.rule)))?;
        let section = c.id.split('.').next().unwrap_or_default().to_string();
        let target = *targets.get(&section).ok_or_else(|| {
            def_err(
                file,
                &c.id,
                format!("section '{section}' is not declared with a target"),
            )
        })?;
        let benchmark_manual = match c.assessment.as_deref() {
            None | Some("automated") => false,
            Some("manual") => true,
            Some(o) => {
                return Err(def_err(
                    file,
                    &c.id,
                    format!("assessment '{o}' must be automated or manual"),
                ))
            }
        };
        if c.skip.as_deref().is_some_and(|r| r.trim().is_empty()) {
            return Err(def_err(file, &c.id, "skip needs a reason"));
        }
        checks.push(Check {
            skip: c.skip.map(|r| r.trim().to_string()),
            title: c.title.unwrap_or_else(|| rule.title.clone()),
            id: c.id,
            section,
            target,
            scored: c.scored.unwrap_or(true),
            benchmark_manual,
            rule: rule.clone(),
        });
    }
    if checks.is_empty() {
        return Err(def_err(file, &raw.id, "benchmark has no checks"));
    }
    Ok(Benchmark {
        id: raw.id,
        title: raw.title,
        provider,
        kubernetes_min: kmin,
        kubernetes_max: kmax,
        sections: raw
            .sections
            .into_iter()
            .map(|s| Section {
                id: s.id,
                title: s.title,
            })
            .collect(),
        checks,
        components,
    })
}

/// The head of a benchmark file, before its sections and checks.
#[derive(Debug, serde::Deserialize)]
struct RawHeader {
    id: String,
    title: String,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    kubernetes: Option<RawRange>,
    #[serde(default)]
    extends: Option<String>,
}

/// Reads only a benchmark file's header (id, title, provider, Kubernetes
/// versions, the version it extends): the text before its first `sections:`,
/// `checks:` or `changes:` line, so a run that needs one benchmark does not
/// parse every other one.
pub fn parse_header(file: &str, text: &str) -> Result<super::BenchmarkInfo> {
    let mut end = text.len();
    let mut offset = 0;
    // a JSON text is one line, read whole: serde_json skips the rest quickly
    for line in text.split_inclusive('\n') {
        if ["sections:", "checks:", "changes:"]
            .iter()
            .any(|k| line.starts_with(k))
        {
            end = offset;
            break;
        }
        offset += line.len();
    }
    let raw: RawHeader = parse_definition(file, &text[..end])?;
    let version = |v: &Option<String>, what: &str| -> Result<Option<KubeVersion>> {
        v.as_deref()
            .map(|s| {
                parse_kube_version(s).ok_or_else(|| {
                    let m = format!("kubernetes.{what} '{s}' is not a version like 1.28");
                    def_err(file, &raw.id, m)
                })
            })
            .transpose()
    };
    let (kubernetes_min, kubernetes_max) = match &raw.kubernetes {
        Some(r) => (version(&r.min, "min")?, version(&r.max, "max")?),
        None => (None, None),
    };
    let provider = match raw.provider.as_deref() {
        None => Provider::Generic,
        Some(p) => Provider::parse(p).ok_or_else(|| {
            let m = format!("provider '{p}' must be one of generic, rke2, k3s, eks, gke, aks");
            def_err(file, &raw.id, m)
        })?,
    };
    Ok(super::BenchmarkInfo {
        id: raw.id,
        title: raw.title,
        provider,
        kubernetes_min,
        kubernetes_max,
        extends: raw.extends,
    })
}
