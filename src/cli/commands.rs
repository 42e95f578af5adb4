//! The node and catalog commands: `check`, `collect` and `benchmarks`.

use super::{CatalogArgs, CheckArgs, CollectArgs, NodeArgs};
use crate::engine::benchmark::Catalog;
use crate::engine::collect;
use crate::engine::render::{self, Format};
use crate::engine::report::{Skip, State};
use crate::error::{Error, Result};
use std::io::IsTerminal;

/// Loads the built-in benchmarks, plus a custom directory when given.
pub fn catalog(args: &CatalogArgs) -> Result<Catalog> {
    Ok(match &args.benchmark_dir {
        Some(dir) => crate::engine::definitions::load_dir(dir)?,
        None => Catalog::embedded()?,
    })
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
            if live && s.phase != crate::service::scan::lifecycle::ScanPhase::Evaluating {
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
        cluster_name: None,
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
