//! Parses one rule's test (a condition tree) and checks it fits the rule's component.

use super::model::*;
use super::raw::*;
use crate::engine::facts::FILE_KEYS;

/// Every comparison key given.
fn ops(c: &RawCondition) -> Vec<ValueOp> {
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
    ops
}

/// The one comparison of a leaf, rejecting a leaf with none or several.
fn value_op(c: &RawCondition) -> std::result::Result<ValueOp, String> {
    let mut ops = ops(c);
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

pub(super) fn condition(
    c: RawCondition,
    component: Component,
) -> std::result::Result<Condition, String> {
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
        return super::PolicyName::parse(&p).map(Condition::Policy);
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
            // the one rule for absent files (docs/VERDICTS.md); warn and fail are for custom rules
            None | Some("not_applicable") => Missing::NotApplicable,
            Some("warn") => Missing::Warn,
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
    if let Some(other) = &c.distinct_from {
        node_only("distinct_from")?;
        return distinct_file(&c, other);
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

/// `flag: --a, distinct_from: "component --b"`: the two flags name different files.
fn distinct_file(c: &RawCondition, other: &str) -> std::result::Result<Condition, String> {
    let flag = c
        .flag
        .clone()
        .ok_or("distinct_from goes with flag: the file flag of this rule's component")?;
    if !flag.starts_with("--") {
        return Err(format!("flag '{flag}' must start with --"));
    }
    if !ops(c).is_empty() || c.default.is_some() {
        return Err("distinct_from takes no comparison and no default".into());
    }
    let parsed = other.split_once(' ').and_then(|(comp, f)| {
        let comp = Component::from_key(comp).filter(|c| *c != Component::Cluster)?;
        f.starts_with("--").then(|| (comp, f.to_string()))
    });
    let (other, other_flag) = parsed.ok_or(format!(
        "distinct_from '{other}' must be a node component and its flag, e.g. 'apiserver --client-ca-file'"
    ))?;
    Ok(Condition::DistinctFile {
        flag,
        other,
        other_flag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Condition, String> {
        condition(serde_saphyr::from_str(text).unwrap(), Component::Etcd)
    }

    #[test]
    fn distinct_from_names_the_other_component_and_its_flag() {
        assert_eq!(
            parse("{flag: --trusted-ca-file, distinct_from: apiserver --client-ca-file}"),
            Ok(Condition::DistinctFile {
                flag: "--trusted-ca-file".into(),
                other: Component::Apiserver,
                other_flag: "--client-ca-file".into(),
            })
        );
    }

    #[test]
    fn distinct_from_refuses_a_comparison_beside_it() {
        let e = parse(
            "{flag: --trusted-ca-file, set: true, distinct_from: apiserver --client-ca-file}",
        );
        assert!(e.unwrap_err().contains("takes no comparison"));
    }

    #[test]
    fn distinct_from_refuses_an_unknown_component() {
        let e = parse("{flag: --trusted-ca-file, distinct_from: cluster --client-ca-file}");
        assert!(e.unwrap_err().contains("must be a node component"));
    }
}
