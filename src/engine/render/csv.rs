//! CSV export, one writer for the CLI and the service: a plain header row, then one
//! row per check and node, so spreadsheets pivot on node. A cluster-wide check's one
//! result is named as everywhere else (GraphQL, the JSON document, a skip's node
//! list): `cluster`. A check without any result gets one row with an empty node. Report metadata
//! (cluster, benchmark, time) is not in the body: the CLI user knows it, the service
//! sends it in the file name and response headers.

use crate::engine::report::{CheckResult, NodeResult, ReportHead};

/// The column names, in order.
pub const HEADER: [&str; 11] = [
    "id",
    "description",
    "state",
    "scored",
    "node",
    "node_state",
    "actual",
    "expected",
    "source",
    "reason",
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

/// The fields of one row: a check and one of its node results (none for a check
/// without per-node results), each neutralised for spreadsheets. The node is the
/// result's, `cluster` for a cluster-wide check as in GraphQL; the reason is the node
/// result's when it has one, else the check's.
pub fn row(c: &CheckResult, n: Option<&NodeResult>) -> [String; 11] {
    let reason = n
        .and_then(|n| n.reason.as_deref())
        .or(c.reason.as_deref())
        .unwrap_or_default();
    [
        c.id.as_str(),
        c.title.as_str(),
        c.state.as_str(),
        if c.scored { "true" } else { "false" },
        n.map_or("", |n| n.node.as_str()),
        n.map_or("", |n| n.state.as_str()),
        n.map_or("", |n| n.actual.as_str()),
        n.map_or("", |n| n.expected.as_str()),
        n.map_or("", |n| n.source.as_str()),
        reason,
        c.remediation.as_str(),
    ]
    .map(|cell| neutralise(cell.to_string()))
}

/// Writes one check's rows.
pub fn write_check<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    c: &CheckResult,
) -> Result<(), csv::Error> {
    if c.nodes.is_empty() {
        return w.write_record(row(c, None));
    }
    for n in &c.nodes {
        w.write_record(row(c, Some(n)))?;
    }
    Ok(())
}

/// The header row, encoded.
pub fn encode_header() -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// One check's rows, encoded: what the service streams per check.
pub fn encode_check(c: &CheckResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(256 * c.nodes.len().max(1)));
    write_check(&mut w, c)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The CSV export as a renderer: the header row, then each check's rows as it comes.
#[derive(Default)]
pub struct Csv;

impl super::Renderer for Csv {
    fn begin(&mut self, _: &ReportHead, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(&encode_header().map_err(std::io::Error::other)?)
    }

    fn check(&mut self, c: &CheckResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(&encode_check(c).map_err(std::io::Error::other)?)
    }

    fn end_pass(&mut self, _: &mut dyn std::io::Write) -> std::io::Result<super::Next> {
        Ok(super::Next::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::State;

    fn check(nodes: &[(&str, State)]) -> CheckResult {
        CheckResult {
            title: "Ensure profiling is off".into(),
            rule: "r".into(),
            remediation: "-set --profiling=false".into(),
            reason: Some("check reason".into()),
            nodes: nodes
                .iter()
                .map(|(n, s)| NodeResult {
                    node: n.to_string(),
                    state: *s,
                    actual: format!("{n} value"),
                    expected: "false".into(),
                    source: "process".into(),
                    reason: (*n == "cp-2").then(|| "node reason".to_string()),
                    audit: String::new(),
                })
                .collect(),
            ..CheckResult::sample("1.2.16", State::Fail)
        }
    }

    fn records(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
        let mut r = csv::Reader::from_reader(bytes);
        let head = r.headers().unwrap().iter().map(String::from).collect();
        (head, r.records().map(|r| r.unwrap()).collect())
    }

    #[test]
    fn each_node_result_is_its_own_row_under_a_plain_header() {
        let mut bytes = encode_header().unwrap();
        bytes
            .extend(encode_check(&check(&[("cp-1", State::Fail), ("cp-2", State::Pass)])).unwrap());
        let (head, rows) = records(&bytes);
        assert_eq!(head, HEADER);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].iter().collect::<Vec<_>>(),
            [
                "1.2.16",
                "Ensure profiling is off",
                "FAIL",
                "true",
                "cp-1",
                "FAIL",
                "cp-1 value",
                "false",
                "process",
                "check reason",
                "'-set --profiling=false"
            ]
        );
        assert_eq!(&rows[1][4], "cp-2");
        assert_eq!(&rows[1][5], "PASS");
        assert_eq!(&rows[1][9], "node reason");
    }

    #[test]
    fn a_cluster_wide_check_is_one_row_named_cluster_with_its_evidence() {
        let mut c = check(&[("cluster", State::Warn)]);
        c.target = "policies".into();
        let (_, rows) = records(&[encode_header().unwrap(), encode_check(&c).unwrap()].concat());
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][4], "cluster");
        assert_eq!(&rows[0][5], "WARN");
        assert_eq!(&rows[0][6], "cluster value");
    }

    #[test]
    fn a_check_without_node_results_is_one_row_with_an_empty_node() {
        let mut bytes = encode_header().unwrap();
        bytes.extend(encode_check(&check(&[])).unwrap());
        let (_, rows) = records(&bytes);
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][4], "");
        assert_eq!(&rows[0][5], "");
    }

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
