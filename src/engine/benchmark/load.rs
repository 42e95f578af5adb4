//! Parses and validates definition files. Every error names the file, the
//! rule or check id, and what is wrong.

use super::model::*;
use super::raw::*;
use crate::engine::facts::FILE_KEYS;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

fn def_err(file: &str, check: &str, message: impl Into<String>) -> Error {
    Error::Definition {
        file: file.to_string(),
        check: check.to_string(),
        message: message.into(),
    }
}

fn parse_yaml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T> {
    serde_saphyr::from_str(text).map_err(|e| def_err(file, "(file)", e.to_string()))
}

/// Parses `components.yaml`.
pub fn parse_components(file: &str, text: &str) -> Result<BTreeMap<Component, ComponentSpec>> {
    let raw: RawComponents = parse_yaml(file, text)?;
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
    let raw: RawRules = parse_yaml(file, text)?;
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

/// Counts the comparison keys given, to reject a leaf with none or several.
fn value_op(c: &RawCondition) -> std::result::Result<ValueOp, String> {
    let mut ops = Vec::new();
    if let Some(s) = c.set {
        ops.push(if s { ValueOp::Set } else { ValueOp::Unset });
    }
    if let Some(v) = &c.eq {
        ops.push(ValueOp::Eq(v.clone()));
    }
    if let Some(v) = &c.ne {
        ops.push(ValueOp::Ne(v.clone()));
    }
    if let Some(v) = c.gte {
        ops.push(ValueOp::Gte(v));
    }
    if let Some(v) = c.lte {
        ops.push(ValueOp::Lte(v));
    }
    if let Some(v) = &c.has {
        ops.push(ValueOp::Has(v.clone()));
    }
    if let Some(v) = &c.lacks {
        ops.push(ValueOp::Lacks(v.clone()));
    }
    if let Some(v) = &c.only {
        ops.push(ValueOp::Only(v.clone()));
    }
    if let Some(v) = &c.starts_with {
        ops.push(ValueOp::StartsWith(v.clone()));
    }
    match ops.len() {
        1 => Ok(ops.pop().expect("one op")),
        0 => Err(
            "needs one comparison: set, eq, ne, gte, lte, has, lacks, only or starts_with".into(),
        ),
        _ => Err("has more than one comparison; combine them with all/any".into()),
    }
}

/// Parses an octal mode such as "600" or "0644".
pub fn parse_mode(s: &str) -> Option<u32> {
    u32::from_str_radix(s.trim(), 8)
        .ok()
        .filter(|m| *m <= 0o7777)
}

fn condition(c: RawCondition, component: Component) -> std::result::Result<Condition, String> {
    let subjects = [
        c.all.is_some(),
        c.any.is_some(),
        c.flag.is_some(),
        c.gate.is_some(),
        c.unit.is_some(),
        c.plugin.is_some(),
        c.file.is_some(),
        c.encryption_providers.is_some(),
        c.audit_policy.is_some(),
        c.event_rate_limit.is_some(),
        c.policy.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if subjects != 1 {
        return Err(format!(
            "a test needs exactly one of all, any, flag, gate, unit, plugin, file, encryption_providers, audit_policy, event_rate_limit, policy (found {subjects})"
        ));
    }
    let node_only = |what: &str| {
        if component == Component::Cluster {
            Err(format!(
                "{what} tests read node facts; a cluster rule needs a policy test"
            ))
        } else {
            Ok(())
        }
    };
    if let Some(list) = c.all {
        return combine(list, component).map(Condition::All);
    }
    if let Some(list) = c.any {
        return combine(list, component).map(Condition::Any);
    }
    if let Some(p) = c.policy {
        if component != Component::Cluster {
            return Err("policy tests belong to rules with component: cluster".into());
        }
        return Ok(Condition::Policy(p));
    }
    if let Some(list) = c.encryption_providers {
        node_only("encryption_providers")?;
        if list.is_empty() {
            return Err("encryption_providers needs at least one provider".into());
        }
        return Ok(Condition::EncryptionProviders(list));
    }
    if let Some(on) = c.audit_policy {
        node_only("audit_policy")?;
        if !on || component != Component::Apiserver {
            return Err("audit_policy: true belongs to rules with component: apiserver".into());
        }
        return Ok(Condition::AuditPolicy);
    }
    if let Some(on) = c.event_rate_limit {
        node_only("event_rate_limit")?;
        if !on || component != Component::Apiserver {
            return Err("event_rate_limit: true belongs to rules with component: apiserver".into());
        }
        return Ok(Condition::EventRateLimit);
    }
    if let Some(name) = c.plugin {
        node_only("plugin")?;
        let enabled = c
            .enabled
            .ok_or("a plugin test needs enabled: true or false")?;
        return Ok(Condition::Plugin { name, enabled });
    }
    if let Some(file) = c.file {
        node_only("file")?;
        if !FILE_KEYS.contains(&file.as_str()) {
            return Err(format!(
                "unknown file '{file}'; known: {}",
                FILE_KEYS.join(", ")
            ));
        }
        let expect = match (c.mode, c.owner) {
            (Some(m), None) => FileExpect::Mode(
                parse_mode(&m).ok_or(format!("mode '{m}' is not an octal permission"))?,
            ),
            (None, Some(o)) => {
                let (user, group) = o
                    .split_once(':')
                    .ok_or(format!("owner '{o}' must be user:group"))?;
                FileExpect::Owner {
                    user: user.into(),
                    group: group.into(),
                }
            }
            _ => return Err("a file test needs exactly one of mode or owner".into()),
        };
        let missing = match c.missing.as_deref() {
            None | Some("warn") => Missing::Warn,
            Some("not_applicable") => Missing::NotApplicable,
            Some("fail") => Missing::Fail,
            Some(o) => {
                return Err(format!(
                    "missing: '{o}' must be warn, not_applicable or fail"
                ))
            }
        };
        if let Some(p) = &c.pattern {
            if !p.starts_with('*') || p[1..].contains('*') {
                return Err(format!("match '{p}' must look like *.ext"));
            }
        }
        return Ok(Condition::File {
            file,
            pattern: c.pattern,
            expect,
            missing,
        });
    }
    let setting = if let Some(f) = c.flag.clone() {
        if !f.starts_with("--") {
            return Err(format!("flag '{f}' must start with --"));
        }
        Setting::Flag(f)
    } else if let Some(g) = c.gate.clone() {
        Setting::Gate(g)
    } else {
        Setting::Unit(c.unit.clone().expect("subject counted above"))
    };
    node_only("flag")?;
    let op = value_op(&c)?;
    Ok(Condition::Setting {
        setting,
        op,
        default: c.default,
    })
}

fn combine(
    list: Vec<RawCondition>,
    component: Component,
) -> std::result::Result<Vec<Condition>, String> {
    if list.is_empty() {
        return Err("all/any needs at least one test".into());
    }
    list.into_iter().map(|c| condition(c, component)).collect()
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
    let raw: RawBenchmark = parse_yaml(file, text)?;
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
        checks.push(Check {
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
