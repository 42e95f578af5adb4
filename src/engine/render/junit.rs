//! JUnit XML for CI systems: one testsuite per node, one testcase per check
//! on that node. FAIL and ERROR are failures (ERROR with `type="ERROR"`, so a
//! reader can tell a broken audit from a failing one); WARN, SKIP and
//! NOT_APPLICABLE are skipped. The evidence (actual, expected, source, reason)
//! is the failure's or skip's text.

use super::by_node::{Batches, Counted};
use super::xml::{escape, text as escape_text};
use super::{ExportContext, Next, Renderer};
use crate::engine::report::{CheckResult, NodeResult, ReportHead, State};
use std::fmt::Write as _;
use std::io::Write;

/// A node's testcases and their counts.
#[derive(Default)]
struct Suite {
    cases: String,
    tests: u32,
    failures: u32,
    skipped: u32,
}

impl Suite {
    /// Counts one node result: FAIL and ERROR fail, WARN, SKIP and NOT_APPLICABLE are skipped.
    fn count(&mut self, state: State) {
        self.tests += 1;
        match state {
            State::Pass => {}
            State::Fail | State::Error => self.failures += 1,
            State::Warn | State::Skip | State::NotApplicable => self.skipped += 1,
        }
    }
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

fn testcase(benchmark: &str, c: &CheckResult, n: &NodeResult, suite: &mut Suite) {
    suite.count(n.state);
    let _ = write!(
        suite.cases,
        "    <testcase classname=\"{}.{}.{}\" name=\"{}\" time=\"0\">",
        escape(benchmark),
        escape(&n.node),
        escape(&c.section),
        escape(&format!("{} {}", c.id, c.title)),
    );
    let text = escape_text(&evidence(c, n));
    match n.state {
        State::Pass => {}
        State::Fail | State::Error => {
            let _ = write!(
                suite.cases,
                "\n      <failure message=\"{}\" type=\"{}\">{text}</failure>\n    ",
                escape(&n.actual),
                n.state.as_str()
            );
        }
        State::Warn | State::Skip | State::NotApplicable => {
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

/// JUnit XML, a batch of nodes per pass (see [`super::by_node`]). The first pass
/// also counts every node result for the totals `<testsuites>` opens with.
pub struct Junit {
    ctx: ExportContext,
    benchmark: String,
    totals: Suite,
    counted: bool,
    nodes: Batches<Suite>,
}

impl Junit {
    /// A renderer naming this report, scan and cluster.
    pub fn new(ctx: ExportContext) -> Self {
        Junit {
            ctx,
            benchmark: String::new(),
            totals: Suite::default(),
            counted: false,
            nodes: Batches::default(),
        }
    }

    fn duration(&self) -> f64 {
        (self.ctx.finished_at - self.ctx.started_at)
            .num_milliseconds()
            .max(0) as f64
            / 1000.0
    }

    fn suite(&self, node: &str, s: &Suite, xml: &mut String) {
        let ctx = &self.ctx;
        let benchmark = &self.benchmark;
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" hostname=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
            escape(&format!("{benchmark} {node}")),
            escape(node),
            s.tests,
            s.failures,
            s.skipped,
            self.duration(),
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
        property("cis-scan.benchmark", benchmark);
        property("cis-scan.started-at", &ctx.started_at.to_rfc3339());
        property("cis-scan.finished-at", &ctx.finished_at.to_rfc3339());
        xml.push_str("    </properties>\n");
        xml.push_str(&s.cases);
        xml.push_str("  </testsuite>\n");
    }
}

impl Renderer for Junit {
    fn begin(&mut self, head: &ReportHead, _: &mut dyn Write) -> std::io::Result<()> {
        self.benchmark = head.benchmark.clone();
        Ok(())
    }

    fn check(&mut self, c: &CheckResult, _: &mut dyn Write) -> std::io::Result<()> {
        for n in &c.nodes {
            if !self.counted {
                self.totals.count(n.state);
            }
            if let Some(suite) = self.nodes.slot(&n.node) {
                testcase(&self.benchmark, c, n, suite);
            }
        }
        Ok(())
    }

    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next> {
        if !self.counted {
            self.counted = true;
            let t = &self.totals;
            writeln!(
                out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
                escape(&format!("cis-scan {}", self.benchmark)),
                t.tests,
                t.failures,
                t.skipped,
                self.duration()
            )?;
        }
        let (batch, more) = self.nodes.take();
        let mut rendered = Counted::new(out);
        for (node, s) in &batch {
            let mut xml = String::new();
            self.suite(node, s, &mut xml);
            rendered.write_all(xml.as_bytes())?;
        }
        let bytes = rendered.bytes;
        self.nodes.measured(batch.len(), bytes);
        if more {
            return Ok(Next::Again);
        }
        out.write_all(b"</testsuites>\n")?;
        Ok(Next::Done)
    }
}
