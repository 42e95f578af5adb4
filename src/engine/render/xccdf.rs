//! XCCDF 1.2 results for OpenSCAP and STIG tooling: one Benchmark holding a
//! Rule per check (grouped by section, so a reader can resolve every idref)
//! and one TestResult per node that lists only that node's checks, with the
//! scan's real start and end. A section none of whose checks applies to a node
//! (a worker's etcd checks) is left out of that node's TestResult. The score is
//! XCCDF's flat model over pass, fail and error only: not-applicable, skipped
//! and informational results do not count against a node.

use super::xml::{escape, text};
use super::ExportContext;
use crate::engine::report::{CheckResult, NodeResult, Report, State};
use std::collections::BTreeMap;
use std::fmt::Write as _;

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

fn rules(report: &Report, xml: &mut String) {
    let mut sections: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
    for c in &report.results {
        sections.entry(c.section.as_str()).or_default().push(c);
    }
    for (section, checks) in sections {
        let _ = writeln!(
            xml,
            "  <Group id=\"xccdf_{NS}_group_section-{}\">\n    <title>Section {}</title>",
            id_part(section),
            escape(section)
        );
        for c in checks {
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
        xml.push_str("  </Group>\n");
    }
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

fn test_result(
    report: &Report,
    ctx: &ExportContext,
    node: &str,
    rows: &[(&CheckResult, &NodeResult)],
    xml: &mut String,
) {
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
        escape(&report.benchmark),
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
    fact("urn:cis-scan:fact:benchmark", &report.benchmark);
    xml.push_str("    </target-facts>\n");
    let (mut passed, mut counted) = (0u32, 0u32);
    for (c, n) in rows {
        match n.state {
            State::Pass => {
                passed += 1;
                counted += 1;
            }
            State::Fail | State::Error => counted += 1,
            _ => {}
        }
        let _ = writeln!(
            xml,
            "    <rule-result idref=\"{}\" time=\"{end}\">\n      <result>{}</result>\n      <message severity=\"info\">{}</message>\n    </rule-result>",
            rule_id(&c.id),
            result(n.state),
            escape(&evidence(c, n))
        );
    }
    let _ = writeln!(
        xml,
        "    <score system=\"urn:xccdf:scoring:flat\" maximum=\"{counted}\">{passed}</score>\n  </TestResult>"
    );
}

/// Writes the report as an XCCDF 1.2 Benchmark with one TestResult per node.
pub fn write(
    report: &Report,
    ctx: &ExportContext,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // a node's TestResult lists only the sections of its kind
    let applies = report.applicable_sections();
    let mut by_node: BTreeMap<&str, Vec<(&CheckResult, &NodeResult)>> = BTreeMap::new();
    for c in &report.results {
        for n in &c.nodes {
            if applies.contains(&(n.node.as_str(), c.section.as_str(), c.target.as_str())) {
                by_node.entry(n.node.as_str()).or_default().push((c, n));
            }
        }
    }
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\" id=\"xccdf_{NS}_benchmark_{}\" resolved=\"true\" xml:lang=\"en\">",
        id_part(&report.benchmark)
    );
    let _ = writeln!(
        xml,
        "  <status date=\"{}\">accepted</status>\n  <title>{}</title>\n  <description>{}</description>\n  <version>{}</version>",
        ctx.finished_at.format("%Y-%m-%d"),
        escape(&report.benchmark_title),
        text(&format!(
            "{} as evaluated by cis-scan{}",
            report.benchmark_title,
            ctx.cluster
                .as_ref()
                .map(|c| format!(" on cluster {c}"))
                .unwrap_or_default()
        )),
        escape(&report.benchmark)
    );
    xml.push_str("  <metadata>\n    <dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">cis-scan</dc:creator>\n  </metadata>\n");
    rules(report, &mut xml);
    for (node, rows) in &by_node {
        test_result(report, ctx, node, rows, &mut xml);
    }
    xml.push_str("</Benchmark>\n");
    out.write_all(xml.as_bytes())
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
