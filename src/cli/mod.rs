//! Command-line interface: argument parsing and the `check`, `collect` and
//! `benchmarks` commands. `main.rs` only calls [`run`].

mod failure;
pub mod remote;
pub mod reports;
pub mod service;
pub mod token;

use crate::engine::benchmark::Catalog;
use crate::engine::collect;
use crate::engine::render::{self, Format};
use crate::engine::report::{Skip, State};
use crate::error::{Error, Result};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;

/// cis-scan: checks Kubernetes nodes and clusters against the CIS Kubernetes Benchmark.
#[derive(Debug, Parser)]
#[command(name = "cis-scan", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect this node's facts (or read facts files) and evaluate a benchmark.
    Check(Box<CheckArgs>),
    /// Print this node's facts as JSON, for evaluation elsewhere.
    Collect(CollectArgs),
    /// List the benchmarks (provider, Kubernetes versions, check counts) and the profiles.
    Benchmarks(CatalogArgs),
    /// Run the service: GraphQL API, live progress, reports.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(ConfigArgs),
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: crate::cli::token::TokenCommand,
    },
    /// List saved reports through a running service's API (token in CIS_SCAN_TOKEN).
    Reports(crate::cli::reports::ReportsArgs),
    /// Print one saved report from a running service: the `check` table or a download format.
    Report(crate::cli::reports::ReportArgs),
}

/// Where the service configuration comes from.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// A TOML file overriding the embedded defaults (CIS_SCAN_* variables override both).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `cis-scan serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Address to listen on (overrides the configuration).
    #[arg(long)]
    pub listen: Option<String>,
}

/// Where the node is.
#[derive(Debug, Args, Clone)]
pub struct NodeArgs {
    /// The node's root filesystem (e.g. /host inside a pod).
    #[arg(long, default_value = "/")]
    pub host_root: PathBuf,
    /// The node's /proc.
    #[arg(long = "proc", default_value = "/proc")]
    pub proc_root: PathBuf,
    /// Node name to record (default: the host's name).
    #[arg(long)]
    pub node_name: Option<String>,
}

/// Where benchmark definitions come from.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// A directory of custom definitions in cis-scan's format, added to the built-in ones.
    #[arg(long)]
    pub benchmark_dir: Option<PathBuf>,
}

/// `cis-scan check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub node: NodeArgs,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Evaluate these facts files (from `cis-scan collect`) instead of this node.
    #[arg(long, num_args = 1..)]
    pub facts: Vec<PathBuf>,
    /// Evaluate a snapshot directory (cluster.yaml with its nodes), as the service does.
    #[arg(long, conflicts_with_all = ["facts", "kubeconfig"])]
    pub snapshot: Option<String>,
    /// Benchmark id, e.g. cis-1.10; overrides --kubernetes-version.
    #[arg(long)]
    pub benchmark: Option<String>,
    /// Choose the benchmark for this Kubernetes version, e.g. 1.28.
    #[arg(long)]
    pub kubernetes_version: Option<String>,
    /// Check ids to report as skipped.
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Leave unscored and manual checks out of the report and its summary.
    #[arg(long)]
    pub scored_only: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Scan a live cluster through this kubeconfig instead of this node.
    #[arg(long, conflicts_with = "facts")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, requires = "kubeconfig")]
    pub context: Option<String>,
    /// Read the cluster through the API only: no collector pods on nodes.
    #[arg(long, requires = "kubeconfig")]
    pub agentless: bool,
    /// Namespace for collector Jobs.
    #[arg(long, requires = "kubeconfig", default_value = "cis-scan")]
    pub namespace: String,
    /// Collector image for the Jobs.
    #[arg(long, requires = "kubeconfig")]
    pub image: Option<String>,
}

/// `cis-scan collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub node: NodeArgs,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Loads the built-in benchmarks, plus a custom directory when given.
pub fn catalog(args: &CatalogArgs) -> Result<Catalog> {
    match &args.benchmark_dir {
        Some(dir) => crate::engine::definitions::load_dir(dir),
        None => Catalog::embedded(),
    }
}

fn collect_opts(n: &NodeArgs) -> collect::Options {
    collect::Options {
        host_root: n.host_root.clone(),
        proc_root: n.proc_root.clone(),
        node_name: n.node_name.clone(),
    }
}

/// Runs `check`; returns the exit code (0 nothing fails, 1 a check fails or errs).
/// Every kind of source goes through the service's pipeline, so the report
/// (and its JSON) is the one the service stores.
pub fn check(args: &CheckArgs, out: &mut dyn std::io::Write) -> Result<i32> {
    use crate::service::scan::pipeline::{self, BenchmarkRequest, Run, UnknownSkips};
    let catalog = catalog(&args.catalog)?;
    let benchmark = match (&args.benchmark, &args.kubernetes_version) {
        (Some(b), _) => BenchmarkRequest::Explicit(b.clone()),
        (None, Some(v)) => BenchmarkRequest::ForKubernetesVersion(v.clone()),
        (None, None) => BenchmarkRequest::Auto,
    };
    let skips: Vec<Skip> = args
        .skip
        .iter()
        .map(|id| Skip {
            id: id.clone(),
            reason: Some("skipped on the command line".into()),
            by: None,
            at: None,
            nodes: Vec::new(),
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let scan_id = uuid::Uuid::new_v4();
    let started_at = chrono::Utc::now();
    let report = rt.block_on(async {
        let source = check_source(args).await?;
        // progress of a live cluster goes to stderr; files and this node are quick
        let live = args.kubeconfig.is_some();
        let on_step: pipeline::OnStep = std::sync::Arc::new(move |s: pipeline::Step| {
            if live && s.phase != crate::service::domain::ScanPhase::Evaluating {
                eprintln!(
                    "cis-scan: [{}/{}] {}",
                    s.nodes_done, s.nodes_total, s.message
                );
            }
        });
        let run = Run {
            source: source.as_ref(),
            scan_id,
            benchmark,
            skips,
            unknown_skips: UnknownSkips::Refuse,
            on_step,
            scored_only: args.scored_only,
        };
        pipeline::run(&catalog, run).await
    })?;
    let finished_at = chrono::Utc::now();
    for node in &report.excluded {
        eprintln!("cis-scan: node {} excluded: {}", node.node, node.reason);
    }
    if report.kubernetes_version.is_none() {
        if let Some(why) = &report.benchmark_reason {
            eprintln!("cis-scan: {why} (pass --kubernetes-version or --benchmark)");
        }
    }
    let colour = colour(args.format);
    // no stored report here: exports carry this run's scan id and times only
    let ctx = render::ExportContext {
        report_id: None,
        scan_id,
        cluster: None,
        started_at,
        finished_at,
    };
    render::write(&report, args.format, &ctx, colour, out).map_err(|e| Error::io("<stdout>", e))?;
    let failing = report
        .results
        .iter()
        .any(|r| matches!(r.state, State::Fail | State::Error));
    Ok(if failing { 1 } else { 0 })
}

/// Whether to colour output in this format: a table on a terminal, unless NO_COLOR is set.
pub(crate) fn colour(format: Format) -> bool {
    format == Format::Table
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none()
}

/// The source `check` reads: a live cluster, facts files, or this node.
async fn check_source(
    args: &CheckArgs,
) -> Result<std::sync::Arc<dyn crate::sources::ClusterSource>> {
    use crate::sources::{live::LiveSettings, FactsFilesSource, LocalNodeSource, SourceSpec};
    if let Some(path) = &args.kubeconfig {
        let mut live = LiveSettings {
            namespace: args.namespace.clone(),
            agentless: args.agentless,
            ..Default::default()
        };
        if let Some(i) = &args.image {
            live.image = i.clone();
        }
        let spec = SourceSpec::KubeconfigFile {
            path,
            context: args.context.as_deref(),
        };
        return crate::sources::build(spec, live).await;
    }
    if let Some(dir) = &args.snapshot {
        let spec = SourceSpec::Snapshot(dir);
        return crate::sources::build(spec, LiveSettings::default()).await;
    }
    if !args.facts.is_empty() {
        return Ok(std::sync::Arc::new(FactsFilesSource {
            files: args.facts.clone(),
        }));
    }
    Ok(std::sync::Arc::new(LocalNodeSource {
        options: collect_opts(&args.node),
    }))
}

/// Runs `collect`.
pub fn collect_cmd(args: &CollectArgs, out: &mut dyn std::io::Write) -> Result<()> {
    let facts = collect::collect(&collect_opts(&args.node));
    let json = serde_json::to_string_pretty(&facts).map_err(|e| Error::Internal(e.to_string()))?;
    match &args.output {
        Some(p) => std::fs::write(p, json + "\n").map_err(|e| Error::io(p, e)),
        None => writeln!(out, "{json}").map_err(|e| Error::io("<stdout>", e)),
    }
}

/// Runs `benchmarks`: every benchmark with its provider and Kubernetes
/// versions, then the profiles with the benchmark they run.
pub fn benchmarks(args: &CatalogArgs, out: &mut dyn std::io::Write) -> Result<()> {
    let catalog = catalog(args)?;
    let io = |e| Error::io("<stdout>", e);
    writeln!(
        out,
        "{:<24} {:<8} {:<11} {:>6} {:>10} {:>7}",
        "BENCHMARK", "PROVIDER", "KUBERNETES", "CHECKS", "AUTOMATED", "MANUAL"
    )
    .map_err(io)?;
    for b in catalog.all()? {
        let auto = b.checks.iter().filter(|c| c.automated()).count();
        let info = catalog
            .info(&b.id)
            .expect("listed benchmarks have a header");
        writeln!(
            out,
            "{:<24} {:<8} {:<11} {:>6} {:>10} {:>7}",
            b.id,
            b.provider.as_str(),
            info.range(),
            b.checks.len(),
            auto,
            b.checks.len() - auto
        )
        .map_err(io)?;
    }
    if !catalog.profiles().is_empty() {
        writeln!(
            out,
            "\n{:<24} {:<24} {:>5}  TITLE",
            "PROFILE", "BENCHMARK", "SKIPS"
        )
        .map_err(io)?;
        for p in catalog.profiles() {
            writeln!(
                out,
                "{:<24} {:<24} {:>5}  {}",
                p.id,
                p.benchmark,
                p.skips.len(),
                p.title
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

/// Parses arguments and runs the command; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match &cli.command {
        Command::Check(a) => check(a, &mut stdout),
        Command::Collect(a) => collect_cmd(a, &mut stdout).map(|_| 0),
        Command::Benchmarks(a) => benchmarks(a, &mut stdout).map(|_| 0),
        Command::Serve(a) => crate::cli::service::serve(a),
        Command::Migrate(a) => crate::cli::service::migrate(a),
        Command::Token { command } => crate::cli::token::run(command, &mut stdout),
        Command::Reports(a) => crate::cli::reports::reports(a, &mut stdout),
        Command::Report(a) => crate::cli::reports::report(a, &mut stdout),
    };
    match result {
        Ok(code) => code,
        // the reader stopped reading (`| head`): nothing to report, as other tools do
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            eprintln!("cis-scan: {e}");
            2
        }
    }
}
