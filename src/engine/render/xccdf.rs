//! XCCDF 1.2 results for OpenSCAP and STIG tooling: one Benchmark holding a
//! Rule per check (grouped by section, so a reader can resolve every idref)
//! and one TestResult per node that lists only that node's checks, with the
//! scan's real start and end. A section none of whose checks applies to a node
//! (a worker's etcd checks) is left out of that node's TestResult. The score is
//! XCCDF's flat model over pass, fail and error only: not-applicable, skipped
//! and informational results do not count against a node.

use super::by_node::{Batches, Counted};
use super::xml::{escape, text};
use super::{ExportContext, Next, Renderer};
use crate::engine::report::{CheckResult, NodeResult, ReportHead, State};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

/// The reverse-DNS part of every XCCDF id cis-scan writes (no `_` allowed).
const NS: &str = "io.cis-scan";

/// An id fragment within xsd:NCName's safe characters, one-to-one: letters,
/// digits, `.` and `-` stay, any other byte is written `_xx` (hex). Kubernetes
/// names never hold `_`, so ordinary names keep their readable id, and two
/// different names (`a b`, `a:b`) never share one (the XML ids would clash).
fn id_part(s: &str) -> String {
    if s.is_empty() {
        // no escape yields a lone `_`, and XCCDF ids need a character here
        return "_".into();
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02x}");
        }
    }
    out
}

fn rule_id(check: &str) -> String {
    format!("xccdf_{NS}_rule_{}", id_part(check))
}

/// XCCDF's result for a node's state: SKIP is a rule the user deselected,
/// WARN (manual review, not assessable) is informational.
pub fn result(state: State) -> &'static str {
    match state {
        State::Pass => "pass",
        State::Fail => "fail",
        State::Error => "error",
        State::NotApplicable => "notapplicable",
        State::Skip => "notselected",
        State::Warn => "informational",
    }
}

/// A check's Rule, as its section's Group lists it.
fn rule(c: &CheckResult, xml: &mut String) {
    let _ = writeln!(
        xml,
        "    <Rule id=\"{}\" selected=\"true\">\n      <title>{} {}</title>\n      <description>{}</description>\n      <fixtext>{}</fixtext>\n    </Rule>",
        rule_id(&c.id),
        escape(&c.id),
        escape(&c.title),
        text(&format!(
            "{} ({}, {}; cis-scan rule {}, target {})",
            c.title,
            if c.scored { "scored" } else { "not scored" },
            if c.automated { "automated" } else { "manual" },
            c.rule,
            c.target
        )),
        text(&c.remediation)
    );
}

/// Every section's Group of Rules, in section order.
fn groups(sections: &BTreeMap<String, String>, out: &mut dyn Write) -> std::io::Result<()> {
    for (section, rules) in sections {
        writeln!(
            out,
            "  <Group id=\"xccdf_{NS}_group_section-{}\">\n    <title>Section {}</title>",
            id_part(section),
            escape(section)
        )?;
        out.write_all(rules.as_bytes())?;
        out.write_all(b"  </Group>\n")?;
    }
    Ok(())
}

fn evidence(c: &CheckResult, n: &NodeResult) -> String {
    let mut s = format!(
        "actual: {}; expected: {}; source: {}",
        n.actual, n.expected, n.source
    );
    if let Some(reason) = n.reason.as_ref().or(c.reason.as_ref()) {
        let _ = write!(s, "; reason: {reason}");
    }
    s
}

/// A node's rule-result for one check, and what it counts for the score.
struct Row {
    section: String,
    target: String,
    state: State,
    xml: String,
}

/// A node's rows in benchmark order, and the (section, target) pairs it is of.
#[derive(Default)]
struct NodeRows {
    rows: Vec<Row>,
    applies: BTreeSet<(String, String)>,
}

/// One line per node and check: the Rule's id, the result and this node's evidence.
/// Everything the node shares with the others is said once elsewhere: the rule text
/// in the Benchmark, the scan's time as the TestResult's end-time (XCCDF's optional
/// `time` of a rule-result would repeat it on every line).
fn rule_result(c: &CheckResult, n: &NodeResult) -> String {
    format!(
        "    <rule-result idref=\"{}\"><result>{}</result><message severity=\"info\">{}</message></rule-result>\n",
        rule_id(&c.id),
        result(n.state),
        escape(&evidence(c, n))
    )
}

fn test_result(benchmark: &str, ctx: &ExportContext, node: &str, rows: &[&Row], xml: &mut String) {
    let end = ctx.finished_at.to_rfc3339();
    let _ = writeln!(
        xml,
        "  <TestResult id=\"xccdf_{NS}_testresult_{}\" start-time=\"{}\" end-time=\"{end}\" test-system=\"cis-scan\">",
        id_part(node),
        ctx.started_at.to_rfc3339()
    );
    let _ = writeln!(
        xml,
        "    <title>{} on {}</title>",
        escape(benchmark),
        escape(node)
    );
    let mut remark = format!("scan {}", ctx.scan_id);
    if let Some(id) = ctx.report_id {
        remark = format!("report {id}, {remark}");
    }
    let _ = writeln!(xml, "    <remark>{}</remark>", escape(&remark));
    let _ = writeln!(xml, "    <target>{}</target>", escape(node));
    xml.push_str("    <target-facts>\n");
    let mut fact = |name: &str, value: &str| {
        let _ = writeln!(
            xml,
            "      <fact name=\"{name}\" type=\"string\">{}</fact>",
            escape(value)
        );
    };
    fact("urn:xccdf:fact:asset:identifier:host_name", node);
    if let Some(cluster) = &ctx.cluster {
        fact("urn:cis-scan:fact:cluster", cluster);
    }
    if let Some(id) = ctx.report_id {
        fact("urn:cis-scan:fact:report-id", &id.to_string());
    }
    fact("urn:cis-scan:fact:scan-id", &ctx.scan_id.to_string());
    fact("urn:cis-scan:fact:benchmark", benchmark);
    xml.push_str("    </target-facts>\n");
    let (mut passed, mut counted) = (0u32, 0u32);
    for row in rows {
        match row.state {
            State::Pass => {
                passed += 1;
                counted += 1;
            }
            State::Fail | State::Error => counted += 1,
            _ => {}
        }
        xml.push_str(&row.xml);
    }
    let _ = writeln!(
        xml,
        "    <score system=\"urn:xccdf:scoring:flat\" maximum=\"{counted}\">{passed}</score>\n  </TestResult>"
    );
}

/// XCCDF: the Rules gathered on the first pass (they need no node data), then the
/// TestResults a batch of nodes per pass (see [`super::by_node`]).
pub struct Xccdf {
    ctx: ExportContext,
    benchmark: String,
    /// Each section's rendered Rules until they are written after the first pass.
    rules: Option<BTreeMap<String, String>>,
    nodes: Batches<NodeRows>,
}

impl Xccdf {
    /// A renderer naming this report, scan and cluster.
    pub fn new(ctx: ExportContext) -> Self {
        Xccdf {
            ctx,
            benchmark: String::new(),
            rules: Some(BTreeMap::new()),
            nodes: Batches::default(),
        }
    }
}

impl Renderer for Xccdf {
    fn begin(&mut self, head: &ReportHead, out: &mut dyn Write) -> std::io::Result<()> {
        let ctx = &self.ctx;
        self.benchmark = head.benchmark.clone();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\" id=\"xccdf_{NS}_benchmark_{}\" resolved=\"true\" xml:lang=\"en\">",
            id_part(&head.benchmark)
        );
        let _ = writeln!(
            xml,
            "  <status date=\"{}\">accepted</status>\n  <title>{}</title>\n  <description>{}</description>\n  <version>{}</version>",
            ctx.finished_at.format("%Y-%m-%d"),
            escape(&head.benchmark_title),
            text(&format!(
                "{} as evaluated by cis-scan{}",
                head.benchmark_title,
                ctx.cluster
                    .as_ref()
                    .map(|c| format!(" on cluster {c}"))
                    .unwrap_or_default()
            )),
            escape(&head.benchmark)
        );
        xml.push_str("  <metadata>\n    <dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">cis-scan</dc:creator>\n  </metadata>\n");
        out.write_all(xml.as_bytes())
    }

    fn check(&mut self, c: &CheckResult, _: &mut dyn Write) -> std::io::Result<()> {
        if let Some(rules) = &mut self.rules {
            rule(c, rules.entry(c.section.clone()).or_default());
        }
        for n in &c.nodes {
            if let Some(node) = self.nodes.slot(&n.node) {
                // a node's TestResult lists only the sections of its kind
                if n.state != State::NotApplicable {
                    node.applies.insert((c.section.clone(), c.target.clone()));
                }
                node.rows.push(Row {
                    section: c.section.clone(),
                    target: c.target.clone(),
                    state: n.state,
                    xml: rule_result(c, n),
                });
            }
        }
        Ok(())
    }

    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next> {
        if let Some(rules) = self.rules.take() {
            groups(&rules, out)?;
        }
        let (batch, more) = self.nodes.take();
        let mut rendered = Counted::new(out);
        for (node, n) in &batch {
            let rows: Vec<&Row> = n
                .rows
                .iter()
                .filter(|r| n.applies.contains(&(r.section.clone(), r.target.clone())))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let mut xml = String::new();
            test_result(&self.benchmark, &self.ctx, node, &rows, &mut xml);
            rendered.write_all(xml.as_bytes())?;
        }
        let bytes = rendered.bytes;
        self.nodes.measured(batch.len(), bytes);
        if more {
            return Ok(Next::Again);
        }
        out.write_all(b"</Benchmark>\n")?;
        Ok(Next::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_map_to_xccdf_results_with_skip_notselected_and_warn_informational() {
        assert_eq!(result(State::Skip), "notselected");
        assert_eq!(result(State::Warn), "informational");
        assert_eq!(result(State::NotApplicable), "notapplicable");
        assert_eq!(result(State::Error), "error");
    }

    #[test]
    fn id_parts_keep_only_ncname_safe_characters() {
        assert_eq!(id_part("1.2.3"), "1.2.3");
        assert_eq!(id_part("worker-1.eu-west-1"), "worker-1.eu-west-1");
        assert_eq!(id_part("a b:c_d"), "a_20b_3ac_5fd");
        assert_eq!(id_part("é"), "_c3_a9");
        assert_eq!(id_part(""), "_");
    }

    #[test]
    fn different_names_never_share_an_id_part() {
        let names = ["a b", "a:b", "a-b", "a_b", "a_20b", "a_3ab", "", "_", "_5f"];
        let parts: std::collections::HashSet<String> = names.iter().map(|n| id_part(n)).collect();
        assert_eq!(parts.len(), names.len(), "{parts:?}");
    }
}
