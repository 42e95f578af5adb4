//! The kube-bench renderer: `Controls` a batch of nodes per pass, then the totals.
//!
//! Compact JSON, as kube-bench's own `--json` writes it (`json.Marshal`), one
//! `Controls` entry per line: kube-bench repeats each check's text, remediation and
//! `test_info` in every node's entry and its readers look for them there, but the
//! indentation of a pretty document (about a third of a 1,000-node export) is ours.

use super::{
    check, count, section_text, subsection, Check, Controls, Document, Group, Provenance, Totals,
};
use crate::engine::render::by_node::{Batches, Counted};
use crate::engine::render::{ExportContext, Next, Renderer};
use crate::engine::report::{CheckResult, ReportHead, State};
use std::collections::BTreeMap;
use std::io::Write;

/// One node's checks of one section and target, in benchmark order.
#[derive(Default)]
struct Section {
    /// Some check's result on this node is not NOT_APPLICABLE: the node is of this kind
    /// (a worker's master checks are all NOT_APPLICABLE: no Controls entry for them).
    applies: bool,
    checks: Vec<(String, Check)>,
}

/// A node's sections by (section, target).
type NodeChecks = BTreeMap<(String, String), Section>;

/// The kube-bench document, a batch of nodes per pass (see [`super::by_node`]):
/// `Controls` in (node, section, target) order, then the totals over all of them.
pub struct KubeBench {
    ctx: ExportContext,
    head: Option<ReportHead>,
    nodes: Batches<NodeChecks>,
    totals: Totals,
    any: bool,
}

impl KubeBench {
    /// A renderer naming this report, scan and cluster.
    pub fn new(ctx: ExportContext) -> Self {
        KubeBench {
            ctx,
            head: None,
            nodes: Batches::default(),
            totals: Totals::default(),
            any: false,
        }
    }

    /// One node's entry for a section: its checks grouped by subsection.
    fn controls(
        &mut self,
        node: &str,
        key: (String, String),
        checks: Vec<(String, Check)>,
    ) -> Controls {
        let head = self.head.as_ref();
        let (section, target) = key;
        let mut groups: Vec<Group> = Vec::new();
        let mut t = Totals::default();
        for (sub, chk) in checks {
            if groups.last().map(|g| g.section != sub).unwrap_or(true) {
                groups.push(Group {
                    desc: format!("Section {sub}"),
                    section: sub,
                    pass: 0,
                    fail: 0,
                    warn: 0,
                    info: 0,
                    results: Vec::new(),
                });
            }
            let g = groups.last_mut().expect("pushed above");
            match chk.status.as_str() {
                "PASS" => g.pass += 1,
                "FAIL" => g.fail += 1,
                "WARN" => g.warn += 1,
                _ => g.info += 1,
            }
            count(&mut t, &chk.status);
            count(&mut self.totals, &chk.status);
            g.results.push(chk);
        }
        Controls {
            id: section,
            version: head.map(|h| h.benchmark.clone()).unwrap_or_default(),
            detected_version: head.and_then(|h| h.kubernetes_version.clone()),
            text: section_text(&target),
            node_type: target,
            node_name: Some(node.to_string()),
            tests: groups,
            totals: t,
        }
    }
}

impl Renderer for KubeBench {
    fn begin(&mut self, head: &ReportHead, out: &mut dyn Write) -> std::io::Result<()> {
        self.head = Some(head.clone());
        out.write_all(b"{\"Controls\":[")
    }

    fn check(&mut self, c: &CheckResult, _: &mut dyn Write) -> std::io::Result<()> {
        for n in &c.nodes {
            if let Some(sections) = self.nodes.slot(&n.node) {
                let s = sections
                    .entry((c.section.clone(), c.target.clone()))
                    .or_default();
                s.applies |= n.state != State::NotApplicable;
                s.checks.push((subsection(&c.id), check(c, n)));
            }
        }
        Ok(())
    }

    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next> {
        let (batch, more) = self.nodes.take();
        let mut rendered = Counted::new(out);
        let count = batch.len();
        for (node, sections) in batch {
            for (key, s) in sections.into_iter().filter(|(_, s)| s.applies) {
                let controls = self.controls(&node, key, s.checks);
                rendered.write_all(if self.any { b",\n" } else { b"\n" })?;
                rendered.write_all(&serde_json::to_vec(&controls)?)?;
                self.any = true;
            }
        }
        let bytes = rendered.bytes;
        self.nodes.measured(count, bytes);
        if more {
            return Ok(Next::Again);
        }
        out.write_all(if self.any { b"\n]" } else { b"]" })?;
        let head = self.head.as_ref();
        let tail = Document {
            controls: Vec::new(),
            totals: self.totals,
            cis_scan: Some(Provenance {
                report_id: self.ctx.report_id.map(|id| id.to_string()),
                scan_id: self.ctx.scan_id.to_string(),
                cluster: self.ctx.cluster.clone(),
                benchmark: head.map(|h| h.benchmark.clone()).unwrap_or_default(),
                started_at: self.ctx.started_at.to_rfc3339(),
                finished_at: self.ctx.finished_at.to_rfc3339(),
            }),
        };
        // the document's fields after `"Controls":[]`, as serde writes them
        let tail = serde_json::to_vec(&tail)?;
        let rest = tail
            .strip_prefix(b"{\"Controls\":[]".as_slice())
            .ok_or_else(|| std::io::Error::other("kube-bench document starts unexpectedly"))?;
        out.write_all(rest)?;
        out.write_all(b"\n")?;
        Ok(Next::Done)
    }
}
