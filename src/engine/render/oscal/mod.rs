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
/// exception, not a proof) leave it not satisfied. The OSCAL reason says which.
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

fn observation(
    uuid: Uuid,
    c: &CheckResult,
    n: &NodeResult,
    node: Uuid,
    ctx: &ExportContext,
) -> Value {
    json!({
        "uuid": uuid,
        "title": format!("{} on {}", c.id, n.node),
        "description": format!("{} {}: {} on node {}", c.id, c.title, n.state.as_str(), n.node),
        "props": props(&[("check-id", Some(&c.id)), ("state", Some(n.state.as_str()))]),
        "methods": ["TEST"],
        "types": ["finding"],
        "subjects": [{
            "subject-uuid": node,
            "type": "inventory-item",
            "title": n.node,
        }],
        "relevant-evidence": [{ "description": evidence(c, n) }],
        "collected": ctx.finished_at.to_rfc3339(),
    })
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
