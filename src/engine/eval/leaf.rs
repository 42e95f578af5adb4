//! Evaluation of one condition tree against one node.

use super::compare::{apply, describe, items};
use super::component_settings::{ComponentView, Resolved};
use super::content;
use super::distinct;
use super::files::test_files;
use super::{NodeView, Outcome};
use crate::engine::benchmark::{Benchmark, Component, Condition, Setting};
use crate::engine::report::State;

/// Evaluates `cond` for `component` on the node.
pub fn condition(
    benchmark: &Benchmark,
    component: Component,
    cond: &Condition,
    view: &NodeView,
) -> Outcome {
    match cond {
        Condition::All(list) => combine(
            list.iter()
                .map(|c| condition(benchmark, component, c, view))
                .collect(),
            true,
        ),
        Condition::Any(list) => combine(
            list.iter()
                .map(|c| condition(benchmark, component, c, view))
                .collect(),
            false,
        ),
        Condition::Setting {
            setting,
            op,
            default,
        } => {
            // node_outcome only evaluates rules whose component runs on the node
            let Some(comp) = view.component(component) else {
                return Outcome::new(State::NotApplicable, "", "", "");
            };
            let (name, resolved) = match setting {
                Setting::Flag(f) => (f.clone(), comp.flag(f, default.as_deref())),
                Setting::Gate(g) => (
                    format!("feature gate {g}"),
                    comp.gate(g, default.as_deref()),
                ),
                Setting::Unit(d) => (format!("{d}="), comp.unit_directive(d)),
            };
            setting_outcome(&name, op, resolved)
        }
        Condition::Plugin { name, enabled } => plugin(benchmark, component, view, name, *enabled),
        Condition::File { .. } if view.facts.agentless => Outcome::new(State::Warn, "not assessed", "", "").because(
            "not assessed without node access (agentless scan): file permissions and owners need a collector on the node".into(),
        ),
        Condition::File {
            file,
            pattern,
            expect,
            missing,
        } => test_files(
            file,
            view.facts.files.get(file),
            pattern.as_deref(),
            expect,
            *missing,
        ),
        Condition::EncryptionProviders(allowed) => {
            content::encryption(view.facts.encryption.as_ref(), allowed)
        }
        Condition::AuditPolicy => content::audit_policy(view.facts.audit_policy.as_ref()),
        Condition::EventRateLimit => {
            // every version's audit asks only that the plugin is enabled; the
            // limits its remediation adds are reported beside the verdict
            let enabled = plugin(benchmark, component, view, "EventRateLimit", true);
            if enabled.state != State::Pass {
                return enabled;
            }
            let limits = content::event_rate_limit(view.facts.admission_config.as_ref());
            enabled.because(content::event_rate_limit_note(&limits))
        }
        Condition::DistinctFile {
            flag,
            other,
            other_flag,
        } => distinct::distinct_file(
            benchmark,
            distinct::Named {
                component,
                flag,
            },
            distinct::Named {
                component: *other,
                flag: other_flag,
            },
            view,
        ),
        Condition::Policy(name) => {
            Outcome::new(State::Warn, "not assessed", name.as_str(), "Kubernetes API")
                .because("policy tests need the cluster's API".into())
        }
    }
}

fn setting_outcome(
    name: &str,
    op: &crate::engine::benchmark::ValueOp,
    resolved: Resolved,
) -> Outcome {
    let expected = describe(name, op);
    let show = |v: &str| {
        if name.ends_with('=') {
            format!("{name}{v}")
        } else {
            format!("{name}={v}")
        }
    };
    match resolved {
        Resolved::Failed(e) => Outcome::new(State::Error, "unreadable", &expected, "").because(e),
        Resolved::Unknown(why) => Outcome::new(State::Warn, "unknown", &expected, "").because(why),
        Resolved::Absent { source } => {
            let ok = apply(op, None, false);
            Outcome::new(
                if ok { State::Pass } else { State::Fail },
                &format!("{name} not set"),
                &expected,
                &source,
            )
        }
        Resolved::Value {
            value,
            source,
            explicit,
        } => {
            let ok = apply(op, Some(&value), explicit);
            let actual = if explicit {
                show(&value)
            } else {
                format!("{} (default)", show(&value))
            };
            let o = Outcome::new(
                if ok { State::Pass } else { State::Fail },
                &actual,
                &expected,
                &source,
            );
            if explicit {
                o
            } else {
                o.beyond_flags()
            }
        }
    }
}

/// Whether an admission plugin is in effect: on by default or enabled, and not disabled.
fn plugin(
    benchmark: &Benchmark,
    component: Component,
    view: &NodeView,
    name: &str,
    want: bool,
) -> Outcome {
    let expected = format!(
        "admission plugin {name} is {}",
        if want { "enabled" } else { "not enabled" }
    );
    let Some(comp) = view.component(component) else {
        return Outcome::new(State::NotApplicable, "", &expected, "");
    };
    let list = |flag: &str, comp: &ComponentView| -> Result<Option<(String, String)>, String> {
        match comp.flag(flag, None) {
            Resolved::Value {
                value,
                source,
                explicit: true,
            } => Ok(Some((value, source))),
            Resolved::Failed(e) | Resolved::Unknown(e) => Err(e),
            _ => Ok(None),
        }
    };
    let (enabled, disabled) = match (
        list("--enable-admission-plugins", comp),
        list("--disable-admission-plugins", comp),
    ) {
        (Ok(e), Ok(d)) => (e, d),
        (Err(e), _) | (_, Err(e)) => {
            return Outcome::new(State::Error, "unreadable", &expected, "").because(e)
        }
    };
    let by_default = benchmark
        .component(component)
        .is_some_and(|s| s.admission_defaults.iter().any(|p| p == name));
    let in_list =
        |l: &Option<(String, String)>| l.as_ref().is_some_and(|(v, _)| items(v).any(|i| i == name));
    let (is_on, actual, source) = if in_list(&disabled) {
        let (v, s) = disabled.clone().unwrap_or_default();
        (
            false,
            format!("disabled: --disable-admission-plugins={v}"),
            s,
        )
    } else if in_list(&enabled) {
        let (v, s) = enabled.clone().unwrap_or_default();
        (true, format!("enabled: --enable-admission-plugins={v}"), s)
    } else if by_default {
        (
            true,
            format!("{name} is on by default and not disabled"),
            "default".to_string(),
        )
    } else {
        let shown = enabled
            .as_ref()
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| "(not set)".into());
        let source = enabled
            .map(|(_, s)| s)
            .or_else(|| comp.args_source().map(str::to_string))
            .unwrap_or_default();
        (
            false,
            format!("not enabled: --enable-admission-plugins={shown}"),
            source,
        )
    };
    let state = if is_on == want {
        State::Pass
    } else {
        State::Fail
    };
    Outcome::new(state, &actual, &expected, &source)
}

/// Combines outcomes: `all` fails on any failure; `any` passes on any pass.
fn combine(outcomes: Vec<Outcome>, all: bool) -> Outcome {
    let has = |s: State| outcomes.iter().any(|o| o.state == s);
    let state = if all {
        [State::Fail, State::Error, State::Warn, State::Pass]
            .into_iter()
            .find(|s| has(*s))
            .unwrap_or(State::NotApplicable)
    } else {
        [State::Pass, State::Error, State::Warn, State::Fail]
            .into_iter()
            .find(|s| has(*s))
            .unwrap_or(State::NotApplicable)
    };
    let join = |f: fn(&Outcome) -> &str, sep: &str| {
        let mut parts: Vec<&str> = Vec::new();
        for o in &outcomes {
            let p = f(o);
            if !p.is_empty() && !parts.contains(&p) {
                parts.push(p);
            }
        }
        parts.join(sep)
    };
    let reasons: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| o.reason.as_deref())
        .collect();
    Outcome {
        state,
        actual: join(|o| &o.actual, "; "),
        expected: join(|o| &o.expected, if all { " and " } else { " or " }),
        source: join(|o| &o.source, "; "),
        reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        beyond_flags: outcomes.iter().any(|o| o.state == state && o.beyond_flags),
    }
}
