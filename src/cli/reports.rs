//! `cis-scan reports` and `cis-scan report ID`: saved reports read through a
//! running service's API, for terminal users (the client is `remote`).

use crate::cli::failure::clean;
use crate::cli::remote::{Remote, RemoteArgs, MAX_DOCUMENT};
use crate::cli::service::runtime;
use crate::engine::render::{self, Format};
use crate::engine::report::{Report, Summary};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use serde_json::json;
use std::io::Write;

/// Most reports one `reports` lists.
const MAX_LIMIT: u32 = 1000;
/// Most reports the API gives in one page.
const PAGE: u32 = 100;

/// How `reports` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// `cis-scan reports`.
#[derive(Debug, Args)]
pub struct ReportsArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Only this cluster's reports (default: every cluster the token may see).
    #[arg(long, value_name = "ID")]
    pub cluster: Option<String>,
    /// How many reports, newest first (1 to 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=MAX_LIMIT as i64))]
    pub limit: u32,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// `cis-scan report ID`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The report's id, as `cis-scan reports` lists it.
    pub id: String,
    /// `table` is what `cis-scan check` prints; every other format is the
    /// service's download (GET /reports/{id}/{format}), unchanged.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// A saved report's verdict: PASS when no check failed or erred, else FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Pass,
    Fail,
}

/// One line of `reports`, as the API gives it and `--format json` prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    pub id: String,
    pub cluster_id: String,
    pub state: Verdict,
    pub benchmark_version: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub summary: Summary,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    page_info: PageInfo,
    nodes: Vec<ReportLine>,
}

#[derive(serde::Deserialize)]
struct ReportsData {
    reports: Page,
}

const REPORTS_QUERY: &str = "query($cluster: ID, $first: Int, $after: String) {
  reports(clusterId: $cluster, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id clusterId state benchmarkVersion createdAt finishedAt
            summary { total pass fail warn skip notApplicable error } }
  }
}";

/// Runs `reports`: newest first, paged through the API up to `--limit`.
pub fn reports(args: &ReportsArgs, out: &mut dyn Write) -> Result<i32> {
    let remote = Remote::new(&args.remote)?;
    let not_found = match &args.cluster {
        Some(c) => format!("cluster {} not found", clean(c)),
        None => "no reports".into(),
    };
    let lines = runtime()?.block_on(async {
        let mut lines: Vec<ReportLine> = Vec::new();
        let mut after: Option<String> = None;
        while (lines.len() as u32) < args.limit {
            let first = (args.limit - lines.len() as u32).min(PAGE);
            let vars = json!({ "cluster": args.cluster, "first": first, "after": after });
            let data: ReportsData = remote.graphql(REPORTS_QUERY, vars, &not_found).await?;
            let page = data.reports;
            lines.extend(page.nodes);
            match (page.page_info.has_next_page, page.page_info.end_cursor) {
                (true, Some(cursor)) => after = Some(cursor),
                _ => break,
            }
        }
        lines.truncate(args.limit as usize);
        Ok::<_, Error>(lines)
    })?;
    let io = |e| Error::io("<stdout>", e);
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &lines)
                .map_err(std::io::Error::from)
                .map_err(io)?;
            writeln!(out).map_err(io)?;
        }
        ListFormat::Table => write_table(&lines, out).map_err(io)?,
    }
    Ok(0)
}

/// The reports as aligned columns; ids in full, as `report ID` takes them.
fn write_table(lines: &[ReportLine], out: &mut dyn Write) -> std::io::Result<()> {
    let cluster_w = lines
        .iter()
        .map(|l| clean(&l.cluster_id).chars().count())
        .chain([7])
        .max()
        .unwrap_or(7);
    let bench_w = lines
        .iter()
        .map(|l| clean(&l.benchmark_version).chars().count())
        .chain([9])
        .max()
        .unwrap_or(9);
    writeln!(
        out,
        "{:<36}  {:<cluster_w$}  {:<5}  {:<bench_w$}  {:<20}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
        "ID",
        "CLUSTER",
        "STATE",
        "BENCHMARK",
        "FINISHED",
        "PASS",
        "FAIL",
        "WARN",
        "SKIP",
        "N/A",
        "ERROR"
    )?;
    for l in lines {
        let s = l.summary;
        writeln!(
            out,
            "{:<36}  {:<cluster_w$}  {:<5}  {:<bench_w$}  {:<20}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
            clean(&l.id),
            clean(&l.cluster_id),
            match l.state {
                Verdict::Pass => "PASS",
                Verdict::Fail => "FAIL",
            },
            clean(&l.benchmark_version),
            l.finished_at.format("%Y-%m-%dT%H:%M:%SZ"),
            s.pass,
            s.fail,
            s.warn,
            s.skip,
            s.not_applicable,
            s.error
        )?;
    }
    if lines.is_empty() {
        writeln!(out, "(no reports)")?;
    }
    Ok(())
}

/// Runs `report ID`: the table `check` prints, from the report's JSON document,
/// or the service's download in another format copied to stdout as it arrives.
pub fn report(args: &ReportArgs, out: &mut dyn Write) -> Result<i32> {
    let remote = Remote::new(&args.remote)?;
    // a uuid only: anything else in the path could reach another route
    let id = uuid::Uuid::parse_str(args.id.trim())
        .map_err(|_| Error::Invalid(format!("not a report id: {}", clean(&args.id))))?;
    let not_found = format!("report {id} not found");
    let name = match args.format {
        Format::Table => "json",
        f => render::DOWNLOADS
            .iter()
            .find(|d| d.format == f)
            .map(|d| d.name)
            .ok_or_else(|| Error::Internal(format!("no download for {f:?}")))?,
    };
    runtime()?.block_on(async {
        let resp = remote
            .get(&format!("/reports/{id}/{name}"), &not_found)
            .await?;
        if args.format != Format::Table {
            return remote.stream(resp, out).await;
        }
        let body = remote.read(resp, MAX_DOCUMENT).await?;
        let document: Report = serde_json::from_slice(&body).map_err(|_| {
            Error::Remote(format!(
                "{} sent a report that is not a cis-scan report document",
                remote.server
            ))
        })?;
        render::table::write(&document, crate::cli::colour(Format::Table), out)
            .map_err(|e| Error::io("<stdout>", e))
    })?;
    Ok(0)
}
