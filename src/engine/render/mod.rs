//! Renders reports for people (table) and programs (JSON, CSV).

pub mod csv;
pub mod table;

use crate::engine::report::Report;

/// Output formats of `cis-scan check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Writes a report in the chosen format.
pub fn write(
    report: &Report,
    format: Format,
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
    }
}
