//! JUnit XML for CI systems: one testsuite per node, one testcase per check
//! on that node. FAIL and ERROR are failures (ERROR with `type="ERROR"`, so a
//! reader can tell a broken audit from a failing one); WARN, SKIP and
//! NOT_APPLICABLE are skipped. The evidence (actual, expected, source, reason)
//! is the failure's or skip's text.

use super::xml::{escape, text as escape_text};
use super::ExportContext;
use crate::engine::report::{CheckResult, NodeResult, Report, State};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A node's testcases and their counts.
#[derive(Default)]
struct Suite {
    cases: String,
    tests: u32,
    failures: u32,
    skipped: u32,
}

fn evidence(c: &CheckResult, n: &NodeResult) -> String {
    let mut text = format!(
        "state: {}\nactual: {}\nexpected: {}\nsource: {}",
        n.state.as_str(),
        n.actual,
        n.expected,
        n.source
    );
    if let Some(reason) = n.reason.as_ref().or(c.reason.as_ref()) {
        let _ = write!(text, "\nreason: {reason}");
    }
    if matches!(n.state, State::Fail | State::Error) {
        let _ = write!(text, "\nremediation: {}", c.remediation);
    }
    text
}

fn testcase(report: &Report, c: &CheckResult, n: &NodeResult, suite: &mut Suite) {
    suite.tests += 1;
    let _ = write!(
        suite.cases,
        "    <testcase classname=\"{}.{}.{}\" name=\"{}\" time=\"0\">",
        escape(&report.benchmark),
        escape(&n.node),
        escape(&c.section),
        escape(&format!("{} {}", c.id, c.title)),
    );
    let text = escape_text(&evidence(c, n));
    match n.state {
        State::Pass => {}
        State::Fail | State::Error => {
            suite.failures += 1;
            let _ = write!(
                suite.cases,
                "\n      <failure message=\"{}\" type=\"{}\">{text}</failure>\n    ",
                escape(&n.actual),
                n.state.as_str()
            );
        }
        State::Warn | State::Skip | State::NotApplicable => {
            suite.skipped += 1;
            let message = n
                .reason
                .as_ref()
                .or(c.reason.as_ref())
                .map(|r| format!("{}: {r}", n.state.as_str()))
                .unwrap_or_else(|| n.state.as_str().to_string());
            let _ = write!(
                suite.cases,
                "\n      <skipped message=\"{}\"/>\n      <system-out>{text}</system-out>\n    ",
                escape(&message)
            );
        }
    }
    suite.cases.push_str("</testcase>\n");
}

/// Writes the report as JUnit XML.
pub fn write(
    report: &Report,
    ctx: &ExportContext,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // node order as the report lists them, then any other (the "cluster" pseudo-node)
    let mut suites: BTreeMap<String, Suite> = BTreeMap::new();
    for c in &report.results {
        for n in &c.nodes {
            testcase(report, c, n, suites.entry(n.node.clone()).or_default());
        }
    }
    let duration = (ctx.finished_at - ctx.started_at).num_milliseconds().max(0) as f64 / 1000.0;
    let (tests, failures, skipped) = suites.values().fold((0, 0, 0), |a, s| {
        (a.0 + s.tests, a.1 + s.failures, a.2 + s.skipped)
    });
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{duration}\">",
        escape(&format!("cis-scan {}", report.benchmark))
    );
    for (node, s) in &suites {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" hostname=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{duration}\" timestamp=\"{}\">",
            escape(&format!("{} {node}", report.benchmark)),
            escape(node),
            s.tests,
            s.failures,
            s.skipped,
            ctx.started_at.format("%Y-%m-%dT%H:%M:%S"),
        );
        xml.push_str("    <properties>\n");
        let mut property = |name: &str, value: &str| {
            let _ = writeln!(
                xml,
                "      <property name=\"{name}\" value=\"{}\"/>",
                escape(value)
            );
        };
        if let Some(id) = ctx.report_id {
            property("cis-scan.report-id", &id.to_string());
        }
        property("cis-scan.scan-id", &ctx.scan_id.to_string());
        if let Some(cluster) = &ctx.cluster {
            property("cis-scan.cluster", cluster);
        }
        property("cis-scan.node", node);
        property("cis-scan.benchmark", &report.benchmark);
        property("cis-scan.started-at", &ctx.started_at.to_rfc3339());
        property("cis-scan.finished-at", &ctx.finished_at.to_rfc3339());
        xml.push_str("    </properties>\n");
        xml.push_str(&s.cases);
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}
