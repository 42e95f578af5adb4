//! The evaluator: a pure function from (benchmark, node facts, skips) to a report.
//! No I/O, no clock, no async: the same input always gives the same report.

mod audit_hints;
mod compare;
pub mod component_settings;
mod config_lookup;
mod content;
mod distinct;
mod files;
mod layouts;
mod leaf;
mod node_results;
pub mod policy;
mod policy_rbac;
mod skips;

pub use compare::{parse_duration, same};

use crate::engine::audit::AuditHints;
use crate::engine::benchmark::{Benchmark, Check, Component};
use crate::engine::cluster_facts::ClusterFacts;
use crate::engine::facts::NodeFacts;
use crate::engine::report::{CheckResult, NodeResult, Report, Skip, State, Summary};
use component_settings::ComponentView;
use layouts::Layouts;
use node_results::{cluster_outcome, node_outcome, to_node_result, AuditMemo};
use std::collections::HashMap;

/// The verdict of one condition on one node, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub state: State,
    pub actual: String,
    pub expected: String,
    pub source: String,
    pub reason: Option<String>,
    /// True when the verdict rests on a documented default or on a file's
    /// content, where kube-bench reads only whether a setting is given.
    pub beyond_flags: bool,
}

impl Outcome {
    /// An outcome without a reason.
    pub fn new(state: State, actual: &str, expected: &str, source: &str) -> Self {
        Outcome {
            state,
            actual: actual.to_string(),
            expected: expected.to_string(),
            source: source.to_string(),
            reason: None,
            beyond_flags: false,
        }
    }

    /// Marks the verdict as resting on a documented default or a file's content.
    pub fn beyond_flags(mut self) -> Self {
        self.beyond_flags = true;
        self
    }

    /// Adds why the state is what it is.
    pub fn because(mut self, reason: String) -> Self {
        self.reason = Some(reason);
        self
    }
}

/// One node's facts, prepared once for all checks.
pub struct NodeView<'a> {
    pub facts: &'a NodeFacts,
    components: HashMap<Component, ComponentView<'a>>,
}

impl<'a> NodeView<'a> {
    /// Parses each component's arguments once.
    pub fn new(facts: &'a NodeFacts, benchmark: &'a Benchmark) -> Self {
        let components = Component::NODE_COMPONENTS
            .into_iter()
            .filter_map(|c| {
                let f = facts.components.get(c.key())?;
                Some((c, ComponentView::new(f, benchmark.component(c))))
            })
            .collect();
        NodeView { facts, components }
    }

    /// The component's view, if the node runs it.
    pub fn component(&self, c: Component) -> Option<&ComponentView<'a>> {
        self.components.get(&c).filter(|v| v.facts.present())
    }
}

/// What a scan evaluates besides the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    pub nodes: &'a [NodeFacts],
    /// Facts from the Kubernetes API for section 5; None when the scan had no API access.
    pub cluster: Option<&'a ClusterFacts>,
    /// Set when a provider (EKS, GKE, AKS) runs the control plane: its checks are NOT_APPLICABLE.
    pub managed_by: Option<&'a str>,
    pub skips: &'a [Skip],
}

/// Evaluates every check of `benchmark` on every node.
pub fn evaluate(benchmark: &Benchmark, nodes: &[NodeFacts], skips: &[Skip]) -> Report {
    evaluate_with_progress(
        benchmark,
        &Input {
            nodes,
            skips,
            ..Default::default()
        },
        &mut |_, _| {},
    )
}

/// Like [`evaluate`] with cluster facts, calling `progress(checks done, checks total)` after each check.
pub fn evaluate_with_progress(
    benchmark: &Benchmark,
    input: &Input,
    progress: &mut dyn FnMut(usize, usize),
) -> Report {
    evaluate_full(benchmark, input, progress).report
}

/// A report, and the skips in it that hid a FAIL, WARN or ERROR.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub report: Report,
    /// Ids of the checks whose skip turned a non-passing node result into SKIP.
    pub hidden_by: Vec<String>,
}

/// Like [`evaluate_with_progress`], also telling which skips were used.
pub fn evaluate_full(
    benchmark: &Benchmark,
    input: &Input,
    progress: &mut dyn FnMut(usize, usize),
) -> Evaluation {
    let views: Vec<NodeView> = input
        .nodes
        .iter()
        .map(|n| NodeView::new(n, benchmark))
        .collect();
    let layouts = Layouts::of(&input.nodes.iter().collect::<Vec<_>>());
    let skips: HashMap<&str, &Skip> = input.skips.iter().map(|s| (s.id.as_str(), s)).collect();
    let total = benchmark.checks.len();
    let mut hidden_by = Vec::new();
    let results: Vec<CheckResult> = benchmark
        .checks
        .iter()
        .enumerate()
        .map(|(i, check)| {
            let (r, hid) = evaluate_check(
                benchmark,
                check,
                &views,
                &layouts,
                input,
                skips.get(check.id.as_str()).copied(),
            );
            progress(i + 1, total);
            if hid {
                hidden_by.push(check.id.clone());
            }
            r
        })
        .collect();
    let report = Report {
        benchmark: benchmark.id.clone(),
        benchmark_title: benchmark.title.clone(),
        benchmark_reason: None,
        scored_only: false,
        kubernetes_version: None,
        nodes: input.nodes.iter().map(|n| n.node.clone()).collect(),
        excluded: Vec::new(),
        provider: None,
        mode: None,
        summary: Summary::of(&results),
        results,
    };
    Evaluation { report, hidden_by }
}

fn evaluate_check(
    benchmark: &Benchmark,
    check: &Check,
    views: &[NodeView],
    layouts: &Layouts,
    input: &Input,
    skip: Option<&Skip>,
) -> (CheckResult, bool) {
    let rule = &check.rule;
    let control_plane = matches!(
        rule.component,
        Component::Apiserver
            | Component::Controllermanager
            | Component::Scheduler
            | Component::Etcd
    );
    let mut audits = AuditMemo::default();
    // each node's result, and whether a skip hid its FAIL, WARN or ERROR
    let pairs: Vec<(NodeResult, bool)> = if let Some(reason) = &check.skip {
        let na = || {
            Outcome::new(State::NotApplicable, "", "", &benchmark.id)
                .because(format!("not applicable under {}: {reason}", benchmark.id))
        };
        if rule.component == Component::Cluster || views.is_empty() {
            let hints = audit_hints::hints(benchmark, check, None);
            vec![to_node_result(
                "cluster",
                check,
                na(),
                skip,
                &mut audits,
                hints,
            )]
        } else {
            let hints = layouts.map(|i| audit_hints::hints(benchmark, check, Some(&views[i])));
            views
                .iter()
                .zip(hints)
                .map(|(v, hints)| {
                    to_node_result(&v.facts.node, check, na(), skip, &mut audits, hints)
                })
                .collect()
        }
    } else if rule.component == Component::Cluster {
        vec![to_node_result(
            "cluster",
            check,
            cluster_outcome(check, input.cluster),
            skip,
            &mut audits,
            audit_hints::hints(benchmark, check, None),
        )]
    } else if let (Some(provider), true) = (input.managed_by, control_plane) {
        let o = Outcome::new(State::NotApplicable, "", "", provider)
            .because(format!("{provider} runs the control plane and etcd; their settings are not visible to cluster users"));
        // the provider's control plane cannot be looked at: nothing to run
        let hints = AuditHints::default();
        vec![to_node_result(
            "control plane",
            check,
            o,
            skip,
            &mut audits,
            hints,
        )]
    } else {
        // worked out once per layout: the outcome depends on the facts, not the name
        let outcomes = layouts.map(|i| {
            let view = &views[i];
            let outcome = if let Some(e) = &view.facts.collection_error {
                Outcome::new(State::Error, "not collected", "", "").because(e.clone())
            } else {
                match view.component(rule.component) {
                    None => Outcome::new(State::NotApplicable, "", "", "").because(format!(
                        "{} does not run on this node",
                        benchmark
                            .component(rule.component)
                            .map(|s| s.name.as_str())
                            .unwrap_or(rule.component.key())
                    )),
                    Some(_) => node_outcome(benchmark, check, view),
                }
            };
            (outcome, audit_hints::hints(benchmark, check, Some(view)))
        });
        views
            .iter()
            .zip(outcomes)
            .map(|(view, (outcome, hints))| {
                to_node_result(&view.facts.node, check, outcome, skip, &mut audits, hints)
            })
            .collect()
    };
    let hid = pairs.iter().any(|(_, h)| *h);
    let node_results: Vec<NodeResult> = pairs.into_iter().map(|(n, _)| n).collect();
    let state = aggregate(node_results.iter().map(|n| n.state));
    let result = CheckResult {
        id: check.id.clone(),
        title: check.title.clone(),
        section: check.section.clone(),
        target: check.target.as_str().to_string(),
        state,
        scored: check.scored,
        automated: check.automated(),
        rule: rule.id.clone(),
        remediation: rule.remediation.clone(),
        reason: skips::check_reason(skip, &node_results, state).or_else(|| {
            if let Some(r) = &check.skip {
                return Some(format!("not applicable under {}: {r}", benchmark.id));
            }
            (state == State::NotApplicable && node_results.is_empty())
                .then(|| "no nodes were scanned".to_string())
        }),
        nodes: node_results,
    };
    (result, hid)
}

/// The whole cluster's state from per-node states: a failure anywhere wins,
/// then an error, a warning, a pass; all not applicable stays not applicable.
pub fn aggregate(states: impl Iterator<Item = State>) -> State {
    states
        .max_by_key(|s| s.weight())
        .unwrap_or(State::NotApplicable)
}
