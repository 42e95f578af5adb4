//! Command-line interface: argument parsing and dispatch; the commands live in
//! their modules (`commands`: check, collect, benchmarks). `main.rs` only calls [`run`].

mod commands;
mod failure;
pub mod remote;
pub mod reports;
pub mod service;
pub mod token;

use crate::engine::render::Format;
use clap::{Args, Parser, Subcommand};
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
    /// Address to listen on (overrides the configuration); port 0 takes a free port.
    #[arg(long)]
    pub listen: Option<String>,
    /// Once listening, write the bound address (`127.0.0.1:PORT`) to this file, for
    /// scripts and tests that start the service on port 0.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
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

pub(crate) use commands::colour;
pub use commands::{benchmarks, catalog, check, collect_cmd};

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
