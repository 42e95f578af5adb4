//! Renders reports for people (table) and programs (JSON, CSV, kube-bench JSON, JUnit, XCCDF, OSCAL).

pub mod csv;
pub mod junit;
pub mod kube_bench;
pub mod oscal;
pub mod table;
pub mod xccdf;
mod xml;

use crate::engine::report::Report;

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
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
}

/// Writes a report in the chosen format.
pub fn write(
    report: &Report,
    format: Format,
    ctx: &ExportContext,
    colour: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Csv => csv::write_report(report, out).map_err(std::io::Error::other),
        Format::Table => table::write(report, colour, out),
        Format::KubeBench => kube_bench::write(report, ctx, out),
        Format::Junit => junit::write(report, ctx, out),
        Format::Xccdf => xccdf::write(report, ctx, out),
        Format::Oscal => oscal::write(report, ctx, out),
    }
}
