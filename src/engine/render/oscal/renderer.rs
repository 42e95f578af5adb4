//! The OSCAL renderer: the document's skeleton around its two long lists, the findings
//! on the first pass over the checks and the observations on the second.

use super::{drop_empty_lists, finding, observation, props, same_results, OSCAL_VERSION};
use crate::engine::render::json::{array_item, close_array};
use crate::engine::render::skeleton::Skeleton;
use crate::engine::render::{ExportContext, Next, Renderer};
use crate::engine::report::{CheckResult, ReportHead};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use uuid::Uuid;

/// OSCAL in two passes over the checks: the findings (each naming its observations'
/// fresh uuids, kept until the second pass) while gathering the nodes for the
/// inventory, then the observations, one per group of nodes with the same result
/// ([`same_results`]). What is held is a uuid per observation and one per node,
/// not the document.
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
    /// the first pass has seen the nodes: it comes after the findings). serde_json orders
    /// keys by name, so `findings` comes before `local-definitions` and `observations`.
    fn skeleton(&self, findings: bool, observations: bool) -> std::io::Result<Skeleton> {
        let head = self
            .head
            .as_ref()
            .ok_or_else(|| std::io::Error::other("no head"))?;
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
        self.nodes = head
            .nodes
            .iter()
            .map(|n| (n.clone(), Uuid::new_v4()))
            .collect();
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
                self.nodes
                    .entry(n.node.clone())
                    .or_insert_with(Uuid::new_v4);
            }
            for _ in same_results(c) {
                self.observations.push(Uuid::new_v4());
            }
            let mut f = finding(c, self.observations[first..].iter().copied());
            drop_empty_lists(&mut f);
            array_item(&f, !self.findings, self.depth, out)?;
            self.findings = true;
            return Ok(());
        }
        for group in same_results(c) {
            let uuid = *self.observations.get(self.written).ok_or_else(|| {
                std::io::Error::other("the report changed while it was being exported")
            })?;
            let mut o = observation(uuid, c, &group, &self.nodes, &self.ctx)?;
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
