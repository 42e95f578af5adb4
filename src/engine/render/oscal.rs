//! OSCAL 1.2.1 assessment results (FedRAMP and other OSCAL tooling; loads in
//! compliance-trestle's models): one `result` per report, spanning the scan's
//! real start and end, naming report, scan, cluster and benchmark as props;
//! each node an inventory item; one observation per check and node carrying
//! the evidence (actual, expected, source, reason); one finding per check whose
//! target status is satisfied or not-satisfied and which points at the check's
//! observations. Every uuid is a fresh v4, as OSCAL asks of a new document.

use super::json::{array_item, close_array};
use super::{ExportContext, Next, Renderer};
use crate::engine::report::{CheckResult, NodeResult, ReportHead, State};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
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

/// The document around its two long lists, pretty-printed with a marker string where
/// each list goes: serde_json orders keys by name, so `findings` comes before
/// `local-definitions` and `observations`, and the skeleton says where each one sits.
struct Skeleton {
    text: Vec<u8>,
    marker: String,
}

impl Skeleton {
    /// The text before the list named `list` (after `to`), and that list's depth; `None`
    /// when the document has no such list.
    fn until(&self, from: usize, list: &str) -> Option<(std::ops::Range<usize>, usize)> {
        let quoted = format!("\"{}-{list}\"", self.marker);
        let at = self.text[from..]
            .windows(quoted.len())
            .position(|w| w == quoted.as_bytes())?
            + from;
        let line = self.text[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let indent = self.text[line..].iter().take_while(|b| **b == b' ').count();
        Some((from..at, indent / 2))
    }

    /// Where the text after the list named `list` starts.
    fn after(&self, list: &str) -> usize {
        let quoted = format!("\"{}-{list}\"", self.marker);
        self.text
            .windows(quoted.len())
            .position(|w| w == quoted.as_bytes())
            .map_or(self.text.len(), |at| at + quoted.len())
    }
}

/// OSCAL in two passes over the checks: the findings (each naming its observations'
/// fresh uuids, kept until the second pass) while gathering the nodes for the
/// inventory, then the observations. What is held is a uuid per node result and one
/// per node, not the document.
pub struct Oscal {
    ctx: ExportContext,
    head: Option<ReportHead>,
    /// A fresh string no report text contains, marking the lists in the skeleton.
    marker: String,
    doc_uuid: Uuid,
    result_uuid: Uuid,
    nodes: BTreeMap<String, Uuid>,
    observations: Vec<Uuid>,
    /// Observations written so far in the second pass.
    written: usize,
    findings: bool,
    /// The skeleton after the first pass, and how far its text has been written.
    skeleton: Option<(Skeleton, usize)>,
    depth: usize,
}

impl Oscal {
    /// A renderer naming this report, scan and cluster.
    pub fn new(ctx: ExportContext) -> Self {
        Oscal {
            ctx,
            head: None,
            marker: format!("cis-scan-{}", Uuid::new_v4()),
            doc_uuid: Uuid::new_v4(),
            result_uuid: Uuid::new_v4(),
            nodes: BTreeMap::new(),
            observations: Vec::new(),
            written: 0,
            findings: false,
            skeleton: None,
            depth: 0,
        }
    }

    /// The whole document with markers for the lists it has (and no inventory before
    /// the first pass has seen the nodes: it comes after the findings).
    fn skeleton(&self, findings: bool, observations: bool) -> std::io::Result<Skeleton> {
        let head = self.head.as_ref().ok_or_else(|| std::io::Error::other("no head"))?;
        let ctx = &self.ctx;
        let report_id = ctx.report_id.map(|id| id.to_string());
        let scan_id = ctx.scan_id.to_string();
        let mut result = json!({
            "uuid": self.result_uuid,
            "title": format!("{} scan", head.benchmark_title),
            "description": format!(
                "{} ({}) as evaluated by cis-scan{}",
                head.benchmark_title,
                head.benchmark,
                ctx.cluster.as_ref().map(|c| format!(" on cluster {c}")).unwrap_or_default()
            ),
            "start": ctx.started_at.to_rfc3339(),
            "end": ctx.finished_at.to_rfc3339(),
            "props": props(&[
                ("report-id", report_id.as_deref()),
                ("scan-id", Some(&scan_id)),
                ("cluster", ctx.cluster.as_deref()),
                ("benchmark", Some(&head.benchmark)),
                ("kubernetes-version", head.kubernetes_version.as_deref()),
            ]),
            "reviewed-controls": { "control-selections": [{ "include-all": {} }] },
        });
        let inventory: Vec<Value> = self
            .nodes
            .iter()
            .map(|(node, uuid)| {
                json!({
                    "uuid": uuid,
                    "description": format!("Kubernetes node {node}"),
                    "props": props(&[("node-name", Some(node)), ("cluster", ctx.cluster.as_deref())]),
                })
            })
            .collect();
        if !inventory.is_empty() {
            result["local-definitions"] = json!({ "inventory-items": inventory });
        }
        if observations {
            result["observations"] = json!(format!("{}-observations", self.marker));
        }
        if findings {
            result["findings"] = json!(format!("{}-findings", self.marker));
        }
        let mut doc = json!({
            "assessment-results": {
                "uuid": self.doc_uuid,
                "metadata": {
                    "title": format!("cis-scan assessment results: {}", head.benchmark_title),
                    "last-modified": ctx.finished_at.to_rfc3339(),
                    "version": env!("CARGO_PKG_VERSION"),
                    "oscal-version": OSCAL_VERSION,
                    "props": props(&[("report-id", report_id.as_deref()), ("cluster", ctx.cluster.as_deref())]),
                },
                // no assessment plan exists: the benchmark is what was assessed
                "import-ap": { "href": format!("urn:cis-scan:benchmark:{}", head.benchmark) },
                "results": [result],
            }
        });
        drop_empty_lists(&mut doc);
        let mut text = serde_json::to_vec_pretty(&doc)?;
        text.push(b'\n');
        Ok(Skeleton {
            text,
            marker: self.marker.clone(),
        })
    }
}

impl Renderer for Oscal {
    fn begin(&mut self, head: &ReportHead, _: &mut dyn Write) -> std::io::Result<()> {
        self.nodes = head.nodes.iter().map(|n| (n.clone(), Uuid::new_v4())).collect();
        self.head = Some(head.clone());
        Ok(())
    }

    fn check(&mut self, c: &CheckResult, out: &mut dyn Write) -> std::io::Result<()> {
        if self.skeleton.is_none() {
            // first pass: the finding, its observations' uuids, the nodes
            if !self.findings {
                // what comes before the findings does not depend on the checks
                let s = self.skeleton(true, false)?;
                let (before, depth) = s
                    .until(0, "findings")
                    .ok_or_else(|| std::io::Error::other("no findings in the skeleton"))?;
                out.write_all(&s.text[before])?;
                out.write_all(b"[")?;
                self.depth = depth;
            }
            let first = self.observations.len();
            for n in &c.nodes {
                self.observations.push(Uuid::new_v4());
                self.nodes.entry(n.node.clone()).or_insert_with(Uuid::new_v4);
            }
            let mut f = finding(c, self.observations[first..].iter().copied());
            drop_empty_lists(&mut f);
            array_item(&f, !self.findings, self.depth, out)?;
            self.findings = true;
            return Ok(());
        }
        for n in &c.nodes {
            let uuid = *self.observations.get(self.written).ok_or_else(|| {
                std::io::Error::other("the report changed while it was being exported")
            })?;
            let node = self.nodes.get(&n.node).copied().ok_or_else(|| {
                std::io::Error::other("the report changed while it was being exported")
            })?;
            let mut o = observation(uuid, c, n, node, &self.ctx);
            drop_empty_lists(&mut o);
            array_item(&o, self.written == 0, self.depth, out)?;
            self.written += 1;
        }
        Ok(())
    }

    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next> {
        let Some((s, from)) = self.skeleton.take() else {
            // after the findings: the inventory, then the observations' place
            let s = self.skeleton(self.findings, !self.observations.is_empty())?;
            let mut from = 0;
            if self.findings {
                close_array(true, self.depth, out)?;
                from = s.after("findings");
            }
            let Some((before, depth)) = s.until(from, "observations") else {
                out.write_all(&s.text[from..])?;
                return Ok(Next::Done);
            };
            out.write_all(&s.text[before])?;
            out.write_all(b"[")?;
            self.depth = depth;
            let from = s.after("observations");
            self.skeleton = Some((s, from));
            return Ok(Next::Again);
        };
        if self.written != self.observations.len() {
            return Err(std::io::Error::other(
                "the report changed while it was being exported",
            ));
        }
        close_array(true, self.depth, out)?;
        out.write_all(&s.text[from..])?;
        Ok(Next::Done)
    }
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
