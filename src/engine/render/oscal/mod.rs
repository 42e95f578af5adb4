//! OSCAL 1.2.1 assessment results (FedRAMP and other OSCAL tooling; loads in
//! compliance-trestle's models): one `result` per report, spanning the scan's
//! real start and end, naming report, scan, cluster and benchmark as props;
//! each node an inventory item; one observation per check and node carrying
//! the evidence (actual, expected, source, reason); one finding per check whose
//! target status is satisfied or not-satisfied and which points at the check's
//! observations. Every uuid is a fresh v4, as OSCAL asks of a new document.

mod renderer;

pub use renderer::Oscal;

use super::ExportContext;
use crate::engine::report::{CheckResult, NodeResult, State};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The OSCAL version the document follows (what compliance-trestle 5.x models).
pub const OSCAL_VERSION: &str = "1.2.1";

/// The namespace of cis-scan's own props, so OSCAL readers do not take them for NIST's.
const NS: &str = "https://github.com/cis-scan/cis-scan/ns/oscal";

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": value })
}

/// OSCAL props must hold a value without surrounding whitespace; an empty one is left out.
fn props(pairs: &[(&str, Option<&str>)]) -> Vec<Value> {
    pairs
        .iter()
        .filter_map(|(name, value)| {
            let v = (*value)?.trim();
            (!v.is_empty()).then(|| prop(name, v))
        })
        .collect()
}

/// OSCAL arrays hold at least one item: an empty list (no props, a check on
/// no node) is left out instead, recursively.
fn drop_empty_lists(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, x| !matches!(x, Value::Array(a) if a.is_empty()));
            map.values_mut().for_each(drop_empty_lists);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_empty_lists),
        _ => {}
    }
}

/// A check's target status: only PASS satisfies it, and NOT_APPLICABLE (nothing
/// to assess there); FAIL, ERROR, WARN (manual review pending) and SKIP (an
/// skip, not a proof) leave it not satisfied. The OSCAL reason says which.
pub fn status(state: State) -> (&'static str, &'static str) {
    match state {
        State::Pass => ("satisfied", "pass"),
        State::NotApplicable => ("satisfied", "other"),
        State::Fail => ("not-satisfied", "fail"),
        State::Error | State::Warn | State::Skip => ("not-satisfied", "other"),
    }
}

/// The evidence of one check on one node, in words.
pub fn evidence(c: &CheckResult, n: &NodeResult) -> String {
    let mut s = format!(
        "actual: {}\n\nexpected: {}\n\nsource: {}",
        n.actual, n.expected, n.source
    );
    if let Some(reason) = n.reason.as_ref().or(c.reason.as_ref()) {
        s.push_str(&format!("\n\nreason: {reason}"));
    }
    s
}

/// The nodes of a check whose results are the same but for the node, in the order
/// they first appear: each group is one observation naming all of them, so 997
/// identical workers make one observation, not 997 (OSCAL lets one observation
/// name many subjects).
pub fn same_results(c: &CheckResult) -> Vec<Vec<&NodeResult>> {
    let mut groups: Vec<Vec<&NodeResult>> = Vec::new();
    let mut index: std::collections::HashMap<(State, &str, &str, &str, Option<&str>), usize> =
        std::collections::HashMap::new();
    for n in &c.nodes {
        let key = (
            n.state,
            n.actual.as_str(),
            n.expected.as_str(),
            n.source.as_str(),
            n.reason.as_deref(),
        );
        match index.get(&key) {
            Some(&i) => groups[i].push(n),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![n]);
            }
        }
    }
    groups
}

fn observation(
    uuid: Uuid,
    c: &CheckResult,
    group: &[&NodeResult],
    nodes: &BTreeMap<String, Uuid>,
    ctx: &ExportContext,
) -> std::io::Result<Value> {
    let first = group
        .first()
        .ok_or_else(|| std::io::Error::other("an observation of no node"))?;
    let on = match group {
        [one] => format!("node {}", one.node),
        many => format!("{} nodes", many.len()),
    };
    let mut subjects = Vec::with_capacity(group.len());
    for n in group {
        let node = nodes.get(&n.node).copied().ok_or_else(|| {
            std::io::Error::other("the report changed while it was being exported")
        })?;
        subjects.push(json!({ "subject-uuid": node, "type": "inventory-item", "title": n.node }));
    }
    Ok(json!({
        "uuid": uuid,
        "title": format!("{} on {on}", c.id),
        "description": format!("{} {}: {} on {on}", c.id, c.title, first.state.as_str()),
        "props": props(&[("check-id", Some(&c.id)), ("state", Some(first.state.as_str()))]),
        "methods": ["TEST"],
        "types": ["finding"],
        "subjects": subjects,
        "relevant-evidence": [{ "description": evidence(c, first) }],
        "collected": ctx.finished_at.to_rfc3339(),
    }))
}

fn finding(c: &CheckResult, observations: impl Iterator<Item = Uuid>) -> Value {
    let (state, reason) = status(c.state);
    let mut f = json!({
        "uuid": Uuid::new_v4(),
        "title": format!("{} {}", c.id, c.title),
        "description": format!(
            "{}: {} ({}, {}; section {}, target {})",
            c.id,
            c.state.as_str(),
            if c.scored { "scored" } else { "not scored" },
            if c.automated { "automated" } else { "manual" },
            c.section,
            c.target
        ),
        "props": props(&[
            ("check-id", Some(&c.id)),
            ("state", Some(c.state.as_str())),
            ("reason", c.reason.as_deref()),
        ]),
        "target": {
            "type": "objective-id",
            // a token must not start with a digit, and CIS ids do
            "target-id": format!("cis-{}", c.id),
            "status": { "state": state, "reason": reason },
        },
    });
    f["related-observations"] = observations
        .map(|u| json!({ "observation-uuid": u }))
        .collect();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, state: State, actual: &str) -> NodeResult {
        NodeResult {
            node: name.into(),
            state,
            actual: actual.into(),
            expected: "x".into(),
            source: "/etc/f".into(),
            reason: None,
            audit: String::new(),
        }
    }

    #[test]
    fn nodes_with_the_same_result_share_one_group_in_first_seen_order() {
        let c = CheckResult {
            id: "1.1.1".into(),
            title: "t".into(),
            section: "1".into(),
            target: "master".into(),
            state: State::Fail,
            scored: true,
            automated: true,
            rule: "r".into(),
            remediation: "fix".into(),
            reason: None,
            nodes: vec![
                node("w-1", State::Pass, "x"),
                node("cp-1", State::Fail, "y"),
                node("w-2", State::Pass, "x"),
                node("w-3", State::Pass, "z"),
            ],
        };
        let groups: Vec<Vec<&str>> = same_results(&c)
            .iter()
            .map(|g| g.iter().map(|n| n.node.as_str()).collect())
            .collect();
        assert_eq!(groups, [vec!["w-1", "w-2"], vec!["cp-1"], vec!["w-3"]]);
    }

    #[test]
    fn only_pass_and_not_applicable_satisfy_a_check() {
        assert_eq!(status(State::Pass), ("satisfied", "pass"));
        assert_eq!(status(State::NotApplicable), ("satisfied", "other"));
        assert_eq!(status(State::Fail), ("not-satisfied", "fail"));
        assert_eq!(status(State::Skip).0, "not-satisfied");
        assert_eq!(status(State::Warn).0, "not-satisfied");
        assert_eq!(status(State::Error).0, "not-satisfied");
    }

    #[test]
    fn blank_prop_values_are_left_out() {
        let p = props(&[("a", Some(" x ")), ("b", Some("  ")), ("c", None)]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0]["value"], "x");
    }

    #[test]
    fn empty_lists_are_dropped_at_every_depth_but_empty_objects_kept() {
        let mut v = json!({ "a": [], "b": [{ "c": [], "d": {} }] });
        drop_empty_lists(&mut v);
        assert_eq!(v, json!({ "b": [{ "d": {} }] }));
    }
}
