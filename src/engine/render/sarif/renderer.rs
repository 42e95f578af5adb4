//! The SARIF renderer: SARIF wants a result's rule written before the results (a
//! result names its rule by index into `tool.driver.rules`), so the first pass over the
//! checks writes the rules and the second the results. Nothing is held between the
//! passes but counts: a check's index is its place in benchmark order, the same in both.

use super::{result, rule, INFORMATION_URI, NODE_BASE, SARIF_SCHEMA, SARIF_VERSION};
use crate::engine::render::json::{array_item, close_array};
use crate::engine::render::skeleton::Skeleton;
use crate::engine::render::{ExportContext, Next, Renderer};
use crate::engine::report::{CheckResult, ReportHead};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;

/// The document's order (rules before results), which serde keeps for struct fields.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: Value,
    original_uri_base_ids: Value,
    invocations: Value,
    properties: Value,
    results: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: &'a str,
}

/// Which list the current pass writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Rules,
    Results,
}

/// SARIF in two passes over the checks: the rules, then the results.
pub struct Sarif {
    ctx: ExportContext,
    /// A fresh string no report text contains, marking the lists in the skeleton.
    marker: String,
    skeleton: Option<Skeleton>,
    benchmark: String,
    pass: Pass,
    depth: usize,
    /// Rules written in the first pass.
    rules: usize,
    /// Checks seen in the second pass, and whether any gave a result.
    seen: usize,
    results: bool,
}

/// SARIF timestamps are UTC with a `Z` (SARIF §3.9).
fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn changed() -> std::io::Error {
    std::io::Error::other("the report changed while it was being exported")
}

impl Sarif {
    /// A renderer naming this report, scan and cluster.
    pub fn new(ctx: ExportContext) -> Self {
        Sarif {
            ctx,
            marker: format!("cis-scan-{}", uuid::Uuid::new_v4()),
            skeleton: None,
            benchmark: String::new(),
            pass: Pass::Rules,
            depth: 0,
            rules: 0,
            seen: 0,
            results: false,
        }
    }

    /// `automationDetails.id`: a category (everything before the last `/`: the tool and
    /// cluster, stable from one scan to the next) and this run (the report, else the scan).
    fn automation_id(&self) -> String {
        let run = self.ctx.report_id.unwrap_or(self.ctx.scan_id);
        match &self.ctx.cluster {
            Some(cluster) => format!("cis-scan/{}/{run}", cluster.replace('/', "%2F")),
            None => format!("cis-scan/{run}"),
        }
    }

    fn skeleton(&self, head: &ReportHead) -> std::io::Result<Skeleton> {
        let ctx = &self.ctx;
        let rules = format!("{}-rules", self.marker);
        let results = format!("{}-results", self.marker);
        // nodes left out of the scan are said, not hidden
        let notifications: Vec<Value> = head
            .excluded
            .iter()
            .map(|e| {
                let text = format!("node {} was not scanned: {}", e.node, e.reason);
                json!({ "level": "note", "message": { "text": super::message_text(&text) } })
            })
            .collect();
        let mut invocation = json!({
            "executionSuccessful": true,
            "startTimeUtc": utc(ctx.started_at),
            "endTimeUtc": utc(ctx.finished_at),
        });
        if !notifications.is_empty() {
            invocation["toolExecutionNotifications"] = Value::Array(notifications);
        }
        let mut properties = json!({
            "benchmark": head.benchmark,
            "benchmarkTitle": head.benchmark_title,
            "scanId": ctx.scan_id,
            "nodes": head.nodes.len(),
            "scoredOnly": head.scored_only,
            "summary": head.summary,
        });
        let optional = [
            ("reportId", ctx.report_id.map(|id| id.to_string())),
            ("cluster", ctx.cluster.clone()),
            ("clusterName", ctx.cluster_name.clone()),
            ("kubernetesVersion", head.kubernetes_version.clone()),
            ("provider", head.provider.map(|p| p.as_str().to_string())),
            ("mode", head.mode.map(|m| m.as_str().to_string())),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                properties[key] = json!(v);
            }
        }
        let log = Log {
            schema: SARIF_SCHEMA,
            version: SARIF_VERSION,
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "cis-scan",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: INFORMATION_URI,
                        rules: &rules,
                    },
                },
                automation_details: json!({ "id": self.automation_id() }),
                original_uri_base_ids: json!({ NODE_BASE: { "description": { "text":
                    "A scanned node: an artifact under it is the node's name and the component checked, not a file"
                } } }),
                invocations: json!([invocation]),
                properties,
                results: &results,
            }],
        };
        let mut text = serde_json::to_vec_pretty(&log)?;
        text.push(b'\n');
        Ok(Skeleton {
            text,
            marker: self.marker.clone(),
        })
    }

    /// Writes the skeleton's text from `from` up to the list `list` and opens it.
    fn open(&mut self, from: usize, list: &str, out: &mut dyn Write) -> std::io::Result<()> {
        let s = self
            .skeleton
            .as_ref()
            .ok_or_else(|| std::io::Error::other("no skeleton"))?;
        let (before, depth) = s
            .until(from, list)
            .ok_or_else(|| std::io::Error::other(format!("no {list} in the skeleton")))?;
        out.write_all(&s.text[before])?;
        out.write_all(b"[")?;
        self.depth = depth;
        Ok(())
    }
}

impl Renderer for Sarif {
    fn begin(&mut self, head: &ReportHead, out: &mut dyn Write) -> std::io::Result<()> {
        self.benchmark = head.benchmark.clone();
        self.skeleton = Some(self.skeleton(head)?);
        self.open(0, "rules", out)
    }

    fn check(&mut self, c: &CheckResult, out: &mut dyn Write) -> std::io::Result<()> {
        match self.pass {
            Pass::Rules => {
                array_item(&rule(c, &self.benchmark), self.rules == 0, self.depth, out)?;
                self.rules += 1;
            }
            Pass::Results => {
                if self.seen >= self.rules {
                    return Err(changed());
                }
                let cluster = self.ctx.cluster.as_deref();
                for n in &c.nodes {
                    if let Some(r) = result(c, n, self.seen, cluster) {
                        array_item(&r, !self.results, self.depth, out)?;
                        self.results = true;
                    }
                }
                self.seen += 1;
            }
        }
        Ok(())
    }

    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next> {
        let s = self
            .skeleton
            .as_ref()
            .ok_or_else(|| std::io::Error::other("no skeleton"))?;
        match self.pass {
            Pass::Rules => {
                close_array(self.rules > 0, self.depth, out)?;
                let from = s.after("rules");
                self.open(from, "results", out)?;
                self.pass = Pass::Results;
                Ok(Next::Again)
            }
            Pass::Results => {
                if self.seen != self.rules {
                    return Err(changed());
                }
                close_array(self.results, self.depth, out)?;
                out.write_all(&s.text[s.after("results")..])?;
                Ok(Next::Done)
            }
        }
    }
}
