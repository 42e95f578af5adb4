//! CSV export: one row per check, in the columns Rancher's CIS report uses.

use crate::engine::report::{CheckResult, Report, State};

/// The column names, in order.
pub const HEADER: [&str; 11] = [
    "id",
    "description",
    "state",
    "scored",
    "node_type",
    "nodes",
    "passed_nodes",
    "failed_nodes",
    "expected",
    "actual",
    "remediation",
];

/// A cell a spreadsheet would not take for a formula: one that begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice against CSV
/// injection). Node names, flags and remediation text can begin with any of these.
pub fn neutralise(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

/// The fields of one row for a check, each neutralised for spreadsheets.
pub fn row(r: &CheckResult) -> [String; 11] {
    let names = |pred: &dyn Fn(State) -> bool| {
        r.nodes
            .iter()
            .filter(|n| pred(n.state))
            .map(|n| n.node.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let applicable = |s: State| s != State::NotApplicable;
    let distinct = |f: &dyn Fn(&crate::engine::report::NodeResult) -> &str| {
        let mut v: Vec<&str> = Vec::new();
        for n in r.nodes.iter().filter(|n| applicable(n.state)) {
            let s = f(n);
            if !s.is_empty() && !v.contains(&s) {
                v.push(s);
            }
        }
        v.join(" | ")
    };
    [
        r.id.clone(),
        r.title.clone(),
        r.state.as_str().to_string(),
        r.scored.to_string(),
        r.target.clone(),
        names(&applicable),
        names(&|s| s == State::Pass),
        names(&|s| matches!(s, State::Fail | State::Error)),
        distinct(&|n| n.expected.as_str()),
        distinct(&|n| n.actual.as_str()),
        r.remediation.clone(),
    ]
    .map(neutralise)
}

/// Writes a report; `title` becomes a first line such as
/// `# cluster demo, benchmark cis-1.8, scanned 2026-11-28T10:00:00Z`.
pub fn write_report(
    report: &Report,
    title: Option<&str>,
    out: &mut dyn std::io::Write,
) -> Result<(), csv::Error> {
    if let Some(t) = title {
        writeln!(out, "# {t}")?;
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for r in &report.results {
        w.write_record(row(r))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_starts_are_neutralised() {
        for cell in [
            "=HYPERLINK(\"http://evil.example/x\",\"click\")",
            "+1",
            "-x",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(cell.to_string()), format!("'{cell}"));
        }
    }

    #[test]
    fn other_cells_are_kept_as_they_are() {
        for cell in ["", "1.2.16", "a=b", " =x", "600 root:root"] {
            assert_eq!(neutralise(cell.to_string()), cell);
        }
    }
}
