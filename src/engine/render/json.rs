//! The report document as `check --format json` prints it and GET /reports/{id}/json
//! serves it: serde's pretty JSON of the whole [`Report`](crate::engine::report::Report),
//! written as the head's fields and then one result at a time.

use super::{Next, Renderer};
use crate::engine::report::{CheckResult, ReportHead};
use std::io::Write;

/// Writes one item of a pretty JSON array at `depth`: the separator, the indentation, the item.
pub fn array_item<T: serde::Serialize + ?Sized>(
    item: &T,
    first: bool,
    depth: usize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(8 << 10);
    buf.extend_from_slice(if first { b"\n" } else { b",\n" });
    buf.resize(buf.len() + 2 * (depth + 1), b' ');
    // written indented as it is serialized: one pass over the item's bytes, one write
    super::pretty::write_at(item, depth + 1, &mut buf)?;
    out.write_all(&buf)
}

/// Closes a pretty JSON array at `depth` that had items (`[]` when it had none).
pub fn close_array(any: bool, depth: usize, out: &mut dyn Write) -> std::io::Result<()> {
    if any {
        out.write_all(b"\n")?;
        out.write_all("  ".repeat(depth).as_bytes())?;
    }
    out.write_all(b"]")
}

/// The JSON report document, one result at a time.
#[derive(Default)]
pub struct Json {
    any: bool,
    /// Which stored report the document is (absent from `check`'s output).
    about: Option<About>,
}

/// The fields that name a stored report, first in its document.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct About {
    report_id: uuid::Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_name: Option<String>,
    scan_id: uuid::Uuid,
    started_at: chrono::DateTime<chrono::Utc>,
    finished_at: chrono::DateTime<chrono::Utc>,
}

impl Json {
    /// The document of the report `ctx` names: a stored report's carries its id,
    /// cluster, scan and times first; `check`'s (no report id) carries none of them.
    pub fn about(ctx: &super::ExportContext) -> Self {
        Json {
            any: false,
            about: ctx.report_id.map(|report_id| About {
                report_id,
                cluster_id: ctx.cluster.clone(),
                cluster_name: ctx.cluster_name.clone(),
                scan_id: ctx.scan_id,
                started_at: ctx.started_at,
                finished_at: ctx.finished_at,
            }),
        }
    }
}

/// An object's pretty JSON without its braces: its fields, each on its own line.
fn fields_of(pretty: &[u8]) -> std::io::Result<&[u8]> {
    pretty
        .strip_prefix(b"{\n")
        .and_then(|f| f.strip_suffix(b"\n}"))
        .ok_or_else(|| std::io::Error::other("a report part did not serialize as an object"))
}

impl Renderer for Json {
    fn begin(&mut self, head: &ReportHead, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(b"{\n")?;
        if let Some(about) = &self.about {
            out.write_all(fields_of(&serde_json::to_vec_pretty(about)?)?)?;
            out.write_all(b",\n")?;
        }
        // the head's fields, then `results` last
        out.write_all(fields_of(&serde_json::to_vec_pretty(head)?)?)?;
        out.write_all(b",\n  \"results\": [")
    }

    fn check(&mut self, c: &CheckResult, out: &mut dyn Write) -> std::io::Result<()> {
        array_item(c, !self.any, 1, out)?;
        self.any = true;
        Ok(())
    }

    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next> {
        close_array(self.any, 1, out)?;
        out.write_all(b"\n}\n")?;
        Ok(Next::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::{NodeResult, Report, State, Summary};

    fn report(results: Vec<CheckResult>) -> Report {
        Report {
            benchmark: "cis-1.11".into(),
            benchmark_title: "CIS \"K8s\"\nv1.11".into(),
            benchmark_reason: None,
            kubernetes_version: Some("1.30.4".into()),
            nodes: vec!["a".into()],
            excluded: Vec::new(),
            provider: None,
            mode: Some(crate::engine::report::ReadMode::Snapshot),
            scored_only: false,
            summary: Summary::of(&results),
            results,
        }
    }

    fn streamed(r: &Report) -> String {
        let mut out = Vec::new();
        super::super::render(&mut Json::default(), &r.head(), &r.results, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_streamed_document_is_serdes_pretty_json_of_the_whole_report() {
        let mut c = CheckResult::sample("1.1.1", State::Fail);
        c.nodes.push(NodeResult {
            node: "a".into(),
            state: State::Fail,
            actual: "line\nbreak".into(),
            expected: "x".into(),
            source: "process".into(),
            reason: None,
            audit: String::new(),
        });
        let r = report(vec![c, CheckResult::sample("1.1.2", State::Pass)]);
        let whole = serde_json::to_string_pretty(&r).unwrap() + "\n";
        assert_eq!(streamed(&r), whole);
    }

    #[test]
    fn a_report_without_results_streams_as_serde_writes_it() {
        let r = report(Vec::new());
        let whole = serde_json::to_string_pretty(&r).unwrap() + "\n";
        assert_eq!(streamed(&r), whole);
    }
}
