//! The one scan pipeline: discover → gather → evaluate → report. No database:
//! `cis-scan check` (every kind of source), the service's scanner and the
//! benches all run a cluster through [`run`], so they cannot disagree on what
//! a report holds or on which benchmark it used.

use crate::engine::benchmark::{choose, Catalog, Provider};
pub use crate::engine::eval::Evaluation;
use crate::engine::report::{ExcludedNode, Report, Skip};
use crate::error::{Error, Result};
use crate::service::scan::lifecycle::ScanPhase;
use crate::sources::ClusterSource;
use std::sync::Arc;
use uuid::Uuid;

/// Which benchmark the caller wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenchmarkRequest {
    /// Chosen from the Kubernetes version the source reports.
    Auto,
    /// This benchmark id, whatever the cluster runs.
    Explicit(String),
    /// Chosen as if the cluster ran this Kubernetes version (`check --kubernetes-version`).
    ForKubernetesVersion(String),
    /// The default benchmark stored with the cluster (`setClusterBenchmark`, or
    /// its `benchmark` key in the configuration).
    ClusterDefault(String),
}

/// What to do with a skip naming a check the chosen benchmark lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownSkips {
    /// Refuse the run (a typo on the command line).
    Refuse,
    /// Leave it out (a stored skip of another benchmark version).
    Ignore,
}

/// One step of progress: the phase and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub phase: ScanPhase,
    pub nodes_done: usize,
    pub nodes_total: usize,
    pub checks_done: usize,
    pub checks_total: usize,
    pub message: String,
}

/// Receives the pipeline's progress; called from the evaluation thread too.
pub type OnStep = Arc<dyn Fn(Step) + Send + Sync>;

/// A run of the pipeline.
pub struct Run<'a> {
    pub source: &'a dyn ClusterSource,
    /// Labels whatever the source creates in the cluster.
    pub scan_id: Uuid,
    pub benchmark: BenchmarkRequest,
    pub skips: Vec<Skip>,
    pub unknown_skips: UnknownSkips,
    pub on_step: OnStep,
    /// Leave unscored and manual checks out of the results and the summary.
    pub scored_only: bool,
}

/// Runs a cluster through the pipeline and returns its report, with the
/// benchmark and why it was chosen, version, provider, mode, nodes, excluded
/// nodes, summary and results.
pub async fn run(catalog: &Catalog, run: Run<'_>) -> Result<Report> {
    Ok(run_full(catalog, run).await?.report)
}

/// Like [`run`], also telling which skips hid a FAIL, WARN or ERROR (for
/// the skips' "last matched" time).
pub async fn run_full(catalog: &Catalog, run: Run<'_>) -> Result<Evaluation> {
    let on_step = run.on_step.clone();
    on_step(Step {
        phase: ScanPhase::Discovering,
        nodes_done: 0,
        nodes_total: 0,
        checks_done: 0,
        checks_total: 0,
        message: format!("reading {}", run.source.describe()),
    });
    let on_node = |done: usize, total: usize, msg: &str| {
        // a source reports discovery (before it knows the nodes) with a total of 0
        let phase = if total == 0 {
            ScanPhase::Discovering
        } else {
            ScanPhase::Collecting
        };
        on_step(Step {
            phase,
            nodes_done: done,
            nodes_total: total,
            checks_done: 0,
            checks_total: 0,
            message: msg.to_string(),
        });
    };
    let gathered = run.source.gather(run.scan_id, &on_node).await?;
    if gathered.nodes.is_empty() {
        return Err(Error::Invalid(
            "the cluster has no node that can be scanned".into(),
        ));
    }
    let seen_version = gathered.kubernetes_version.clone().or_else(|| {
        gathered
            .nodes
            .iter()
            .find_map(|n| n.kubernetes_version.clone())
    });
    // sources without the API (facts files, this node) know the provider from the nodes' layout
    let provider = gathered
        .provider
        .or_else(|| node_distribution(&gathered.nodes));
    let (explicit, version) = match &run.benchmark {
        BenchmarkRequest::Auto => (None, seen_version),
        BenchmarkRequest::Explicit(id) | BenchmarkRequest::ClusterDefault(id) => {
            (Some(id.as_str()), seen_version)
        }
        BenchmarkRequest::ForKubernetesVersion(v) => (None, Some(v.clone())),
    };
    let named = provider.map(Provider::as_str);
    let mut choice = choose(catalog, explicit, version.as_deref(), named)?;
    if let BenchmarkRequest::ClusterDefault(id) = &run.benchmark {
        choice.reason = format!("{id}, the cluster's default benchmark");
    }
    let full = choice.benchmark.clone();
    if run.scored_only {
        choice.benchmark = Arc::new(scored_subset(&full));
    }
    let skips = checked_skips(&full, run.skips, run.unknown_skips)?;
    let nodes_total = gathered.nodes.len();
    let benchmark = choice.benchmark.clone();
    let on_step = run.on_step.clone();
    let mut evaluation = tokio::task::spawn_blocking(move || {
        let step = (benchmark.checks.len() / 10).max(1);
        let mut on_check = |done: usize, total: usize| {
            if done.is_multiple_of(step) || done == total {
                on_step(Step {
                    phase: ScanPhase::Evaluating,
                    nodes_done: nodes_total,
                    nodes_total,
                    checks_done: done,
                    checks_total: total,
                    message: format!("evaluating {}", benchmark.id),
                });
            }
        };
        let input = crate::engine::eval::Input {
            nodes: &gathered.nodes,
            cluster: gathered.cluster.as_ref(),
            managed_by: gathered.managed_by.as_deref(),
            skips: &skips,
        };
        let evaluation = crate::engine::eval::evaluate_full(&benchmark, &input, &mut on_check);
        (evaluation, gathered)
    })
    .await
    .map(|(mut evaluation, gathered)| {
        let report = &mut evaluation.report;
        report.excluded = gathered
            .excluded
            .into_iter()
            .map(|(node, reason)| ExcludedNode { node, reason })
            .collect();
        report.mode = gathered.mode;
        evaluation
    })
    .map_err(|e| Error::Internal(format!("evaluation task: {e}")))?;
    let report = &mut evaluation.report;
    report.benchmark_reason = Some(choice.reason);
    report.kubernetes_version = version;
    report.provider = provider;
    report.scored_only = run.scored_only;
    Ok(evaluation)
}

/// The benchmark without its unscored and manual checks, as Rancher 2.4
/// reported ("Not Scored" recommendations are not included).
fn scored_subset(b: &crate::engine::benchmark::Benchmark) -> crate::engine::benchmark::Benchmark {
    let mut only = b.clone();
    only.checks.retain(|c| c.scored && !c.benchmark_manual);
    only
}

/// The distribution every node agrees on, when it names a benchmark provider.
fn node_distribution(nodes: &[crate::engine::facts::NodeFacts]) -> Option<Provider> {
    let first = nodes.first()?.distribution.as_str();
    let known = Provider::parse(first)?;
    nodes
        .iter()
        .all(|n| n.distribution == first)
        .then_some(known)
}

/// The skips to apply: unknown ids refused or left out, as asked.
fn checked_skips(
    benchmark: &crate::engine::benchmark::Benchmark,
    skips: Vec<Skip>,
    unknown: UnknownSkips,
) -> Result<Vec<Skip>> {
    let (known, missing): (Vec<Skip>, Vec<Skip>) = skips
        .into_iter()
        .partition(|s| benchmark.check(&s.id).is_some());
    if unknown == UnknownSkips::Refuse && !missing.is_empty() {
        let ids: Vec<&str> = missing.iter().map(|s| s.id.as_str()).collect();
        return Err(Error::Invalid(format!(
            "--skip names checks that {} does not have: {}",
            benchmark.id,
            ids.join(", ")
        )));
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(id: &str) -> Skip {
        Skip {
            id: id.into(),
            reason: None,
            by: None,
            at: None,
            nodes: Vec::new(),
        }
    }

    fn benchmark() -> Arc<crate::engine::benchmark::Benchmark> {
        Catalog::embedded().unwrap().get("cis-1.11").unwrap()
    }

    #[test]
    fn refused_unknown_skips_name_the_benchmark_and_the_ids() {
        let e = checked_skips(
            &benchmark(),
            vec![skip("1.2.15"), skip("9.9")],
            UnknownSkips::Refuse,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("cis-1.11 does not have: 9.9"), "{e}");
    }

    #[test]
    fn ignored_unknown_skips_are_left_out_and_known_ones_kept() {
        let kept = checked_skips(
            &benchmark(),
            vec![skip("1.2.15"), skip("9.9")],
            UnknownSkips::Ignore,
        )
        .unwrap();
        assert_eq!(kept, vec![skip("1.2.15")]);
    }
}
