//! OSCAL 1.2.1 assessment results (FedRAMP and other OSCAL tooling; loads in
//! compliance-trestle's models): one `result` per report, spanning the scan's
//! real start and end, naming report, scan, cluster and benchmark as props;
//! each node an inventory item; one observation per check and node carrying
//! the evidence (actual, expected, source, reason); one finding per check whose
//! target status is satisfied or not-satisfied and which points at the check's
//! observations. Every uuid is a fresh v4, as OSCAL asks of a new document.

use super::ExportContext;
use crate::engine::report::{CheckResult, NodeResult, Report, State};
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

fn finding(c: &CheckResult, observations: &[Uuid]) -> Value {
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
        .iter()
        .map(|u| json!({ "observation-uuid": u }))
        .collect();
    f
}

/// Writes the report as one OSCAL assessment-results JSON document.
pub fn write(
    report: &Report,
    ctx: &ExportContext,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let node_uuids: BTreeMap<&str, Uuid> = report
        .nodes
        .iter()
        .map(String::as_str)
        .chain(
            report
                .results
                .iter()
                .flat_map(|c| c.nodes.iter().map(|n| n.node.as_str())),
        )
        .map(|n| (n, Uuid::new_v4()))
        .collect();
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for c in &report.results {
        let mut related = Vec::new();
        for n in &c.nodes {
            let uuid = Uuid::new_v4();
            observations.push(observation(uuid, c, n, node_uuids[n.node.as_str()], ctx));
            related.push(uuid);
        }
        findings.push(finding(c, &related));
    }
    let inventory: Vec<Value> = node_uuids
        .iter()
        .map(|(node, uuid)| {
            json!({
                "uuid": uuid,
                "description": format!("Kubernetes node {node}"),
                "props": props(&[("node-name", Some(node)), ("cluster", ctx.cluster.as_deref())]),
            })
        })
        .collect();
    let report_id = ctx.report_id.map(|id| id.to_string());
    let scan_id = ctx.scan_id.to_string();
    let mut result = json!({
        "uuid": Uuid::new_v4(),
        "title": format!("{} scan", report.benchmark_title),
        "description": format!(
            "{} ({}) as evaluated by cis-scan{}",
            report.benchmark_title,
            report.benchmark,
            ctx.cluster.as_ref().map(|c| format!(" on cluster {c}")).unwrap_or_default()
        ),
        "start": ctx.started_at.to_rfc3339(),
        "end": ctx.finished_at.to_rfc3339(),
        "props": props(&[
            ("report-id", report_id.as_deref()),
            ("scan-id", Some(&scan_id)),
            ("cluster", ctx.cluster.as_deref()),
            ("benchmark", Some(&report.benchmark)),
            ("kubernetes-version", report.kubernetes_version.as_deref()),
        ]),
        "reviewed-controls": { "control-selections": [{ "include-all": {} }] },
    });
    if !inventory.is_empty() {
        result["local-definitions"] = json!({ "inventory-items": inventory });
    }
    result["observations"] = Value::Array(observations);
    result["findings"] = Value::Array(findings);
    let mut doc = json!({
        "assessment-results": {
            "uuid": Uuid::new_v4(),
            "metadata": {
                "title": format!("cis-scan assessment results: {}", report.benchmark_title),
                "last-modified": ctx.finished_at.to_rfc3339(),
                "version": env!("CARGO_PKG_VERSION"),
                "oscal-version": OSCAL_VERSION,
                "props": props(&[("report-id", report_id.as_deref()), ("cluster", ctx.cluster.as_deref())]),
            },
            // no assessment plan exists: the benchmark is what was assessed
            "import-ap": { "href": format!("urn:cis-scan:benchmark:{}", report.benchmark) },
            "results": [result],
        }
    });
    drop_empty_lists(&mut doc);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
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
