//! Renders reports for people (table) and programs (JSON, CSV, kube-bench JSON, JUnit, XCCDF, OSCAL,
//! SARIF).
//! Every program format is a [`Renderer`]: it takes the report's head, then the checks one
//! at a time in benchmark order, and writes as it goes, so the service can stream a report
//! of any size from its database with bounded memory and `check` prints the same bytes.

pub mod by_node;
pub mod csv;
pub mod json;
pub mod junit;
pub mod kube_bench;
pub mod oscal;
mod pretty;
pub mod sarif;
mod skeleton;
pub mod table;
pub mod xccdf;
mod xml;

use crate::engine::report::{CheckResult, Report, ReportHead};
use std::io::Write;

/// Output formats of `cis-scan check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// kube-bench's `--json` shape (DefectDojo, kube-bench tooling).
    KubeBench,
    /// JUnit XML: one testcase per check and node, for CI systems.
    Junit,
    /// XCCDF 1.2 results: one TestResult per node (OpenSCAP, STIG tooling).
    Xccdf,
    /// OSCAL 1.2.1 assessment results JSON: one finding per check (FedRAMP, OSCAL tooling).
    Oscal,
    /// SARIF 2.1.0: one result per FAIL, WARN or ERROR check and node (GitHub code scanning).
    Sarif,
}

/// A format the service offers at `GET /reports/{id}/{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Download {
    /// The route's last segment and the name in `Report.downloads`.
    pub name: &'static str,
    pub format: Format,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Every download, in the order `Report.downloads` lists them.
pub const DOWNLOADS: &[Download] = &[
    Download {
        name: "json",
        format: Format::Json,
        content_type: "application/json",
        extension: "json",
    },
    Download {
        name: "csv",
        format: Format::Csv,
        content_type: "text/csv; charset=utf-8",
        extension: "csv",
    },
    Download {
        name: "kube-bench",
        format: Format::KubeBench,
        content_type: "application/json",
        extension: "kube-bench.json",
    },
    Download {
        name: "junit",
        format: Format::Junit,
        content_type: "application/xml",
        extension: "junit.xml",
    },
    Download {
        name: "xccdf",
        format: Format::Xccdf,
        content_type: "application/xml",
        extension: "xccdf.xml",
    },
    Download {
        name: "oscal",
        format: Format::Oscal,
        content_type: "application/json",
        extension: "oscal.json",
    },
    Download {
        name: "sarif",
        format: Format::Sarif,
        content_type: "application/sarif+json",
        extension: "sarif",
    },
];

/// The download of this name, if the service offers one.
pub fn download(name: &str) -> Option<&'static Download> {
    DOWNLOADS.iter().find(|d| d.name == name)
}

/// Which report an export is, for formats with a place to say so. The CLI has
/// no stored report: it passes no report id or cluster, its own scan id and times.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportContext {
    pub report_id: Option<uuid::Uuid>,
    pub scan_id: uuid::Uuid,
    pub cluster: Option<String>,
    /// The cluster's display name, where one is known.
    pub cluster_name: Option<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
}

/// What a renderer wants after a pass over the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The checks again, from the first, in the same order.
    Again,
    /// Nothing: the document is written to its end.
    Done,
}

/// A format written piece by piece. The caller calls `begin` once, then feeds every
/// check in benchmark order and calls `end_pass`, and feeds them all again for as long
/// as `end_pass` answers [`Next::Again`]. Formats ordered by node (one block per node)
/// take a batch of nodes per pass, so memory stays bounded by the batch, not the report.
pub trait Renderer: Send {
    /// Writes what comes before the first check; counts come from the head's summary.
    fn begin(&mut self, head: &ReportHead, out: &mut dyn Write) -> std::io::Result<()>;
    /// Takes one check of the current pass.
    fn check(&mut self, c: &CheckResult, out: &mut dyn Write) -> std::io::Result<()>;
    /// Ends a pass; on [`Next::Done`] the document has been written to its end.
    fn end_pass(&mut self, out: &mut dyn Write) -> std::io::Result<Next>;
}

/// The renderer of a program format; `None` for the table, which is for people.
pub fn renderer(format: Format, ctx: &ExportContext) -> Option<Box<dyn Renderer>> {
    Some(match format {
        Format::Table => return None,
        Format::Json => Box::new(json::Json::about(ctx)),
        Format::Csv => Box::new(csv::Csv),
        Format::KubeBench => Box::new(kube_bench::KubeBench::new(ctx.clone())),
        Format::Junit => Box::new(junit::Junit::new(ctx.clone())),
        Format::Xccdf => Box::new(xccdf::Xccdf::new(ctx.clone())),
        Format::Oscal => Box::new(oscal::Oscal::new(ctx.clone())),
        Format::Sarif => Box::new(sarif::Sarif::new(ctx.clone())),
    })
}

/// Feeds checks held in memory to a renderer, as many passes as it asks for.
pub fn render(
    r: &mut dyn Renderer,
    head: &ReportHead,
    checks: &[CheckResult],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    r.begin(head, out)?;
    loop {
        for c in checks {
            r.check(c, out)?;
        }
        if r.end_pass(out)? == Next::Done {
            return Ok(());
        }
    }
}

/// Writes a report in the chosen format.
pub fn write(
    report: &Report,
    format: Format,
    ctx: &ExportContext,
    colour: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match renderer(format, ctx) {
        Some(mut r) => {
            // renderers write in small pieces: one system call per 64 KiB, not per line
            let mut out = std::io::BufWriter::with_capacity(64 << 10, out);
            render(r.as_mut(), &report.head(), &report.results, &mut out)?;
            out.flush()
        }
        None => table::write(report, colour, out),
    }
}
