//! A table for people reading a terminal: failures first, colour on a terminal.

use crate::engine::report::{Report, State};

fn paint(s: State, colour: bool) -> String {
    let text = format!(
        "{:<6}",
        match s {
            State::NotApplicable => "N/A",
            other => other.as_str(),
        }
    );
    if !colour {
        return text;
    }
    let code = match s {
        State::Pass => "32",
        State::Fail | State::Error => "31",
        State::Warn => "33",
        State::Skip | State::NotApplicable => "90",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Order in the table: what needs attention first.
fn rank(s: State) -> u8 {
    match s {
        State::Fail => 0,
        State::Error => 1,
        State::Warn => 2,
        State::Pass => 3,
        State::Skip => 4,
        State::NotApplicable => 5,
    }
}

/// Writes the table.
pub fn write(report: &Report, colour: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({}) on {} node(s)",
        report.benchmark_title,
        report.benchmark,
        report.nodes.len()
    )?;
    let mut results: Vec<_> = report.results.iter().collect();
    results.sort_by_key(|r| rank(r.state));
    for r in results {
        let kind = if r.automated { "" } else { " [manual]" };
        writeln!(
            out,
            "{} {:<8} {}{kind}",
            paint(r.state, colour),
            r.id,
            r.title
        )?;
        if matches!(r.state, State::Fail | State::Error) {
            for n in r
                .nodes
                .iter()
                .filter(|n| matches!(n.state, State::Fail | State::Error))
            {
                writeln!(
                    out,
                    "         {}: {} (want {}) from {}",
                    n.node, n.actual, n.expected, n.source
                )?;
                if let Some(reason) = &n.reason {
                    writeln!(out, "         {reason}")?;
                }
            }
            writeln!(out, "         fix: {}", r.remediation)?;
        }
        if r.state == State::Skip {
            if let Some(reason) = &r.reason {
                writeln!(out, "         {reason}")?;
            }
        }
    }
    let s = report.summary;
    writeln!(
        out,
        "\n{} checks: {} pass, {} fail, {} warn, {} skip, {} not applicable, {} error",
        s.total, s.pass, s.fail, s.warn, s.skip, s.not_applicable, s.error
    )
}
