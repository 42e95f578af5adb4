//! How one node's outcome of a check becomes its result: which outcome applies
//! (the rule's test on the node, a cluster-wide policy, or a person's review),
//! the rule's note where it knowingly differs from kube-bench, the skip and
//! unscored rules, and the command a person runs to see the same fact.

use super::{leaf, policy, skips, NodeView, Outcome};
use crate::engine::audit::{self, AuditHints};
use crate::engine::benchmark::{Benchmark, Check, Condition, DiffersWhen};
use crate::engine::cluster_facts::ClusterFacts;
use crate::engine::report::{NodeResult, Skip, State};

/// The audit commands of one check, kept by what they are derived from: nodes
/// laid out alike (a fleet's workers) share one instead of building it again,
/// which was a quarter of evaluating 300 nodes. A few entries: nodes of one check
/// come in a handful of layouts.
#[derive(Default)]
pub(super) struct AuditMemo<'a>(Vec<(AuditHints<'a>, String, String, String)>);

impl<'a> AuditMemo<'a> {
    const KEPT: usize = 8;

    pub(super) fn command(
        &mut self,
        source: &str,
        expected: &str,
        hints: AuditHints<'a>,
    ) -> String {
        let same = |(h, s, e, _): &&(AuditHints<'a>, String, String, String)| {
            *h == hints && s == source && e == expected
        };
        if let Some((_, _, _, c)) = self.0.iter().find(same) {
            return c.clone();
        }
        let c = audit::command(source, expected, &hints);
        if self.0.len() < Self::KEPT {
            self.0
                .push((hints, source.to_string(), expected.to_string(), c.clone()));
        }
        c
    }
}

/// One node's result, with true when a skip hid its FAIL, WARN or ERROR.
pub(super) fn to_node_result<'a>(
    node: &str,
    check: &Check,
    mut o: Outcome,
    skip: Option<&Skip>,
    audits: &mut AuditMemo<'a>,
    hints: AuditHints<'a>,
) -> (NodeResult, bool) {
    let covered = skip.is_some_and(|s| s.covers(node));
    let hid = skips::apply(node, &mut o, skip);
    if !covered && o.state == State::Fail && !check.scored {
        o.state = State::Warn;
        o.reason = Some(match o.reason {
            Some(r) => format!("unscored check would fail: {r}"),
            None => "unscored check would fail".into(),
        });
    }
    let result = NodeResult {
        node: node.to_string(),
        audit: audits.command(&o.source, &o.expected, hints),
        state: o.state,
        actual: o.actual,
        expected: o.expected,
        source: o.source,
        reason: o.reason,
    };
    (result, hid)
}

fn manual_outcome(check: &Check) -> Outcome {
    Outcome::new(
        State::Warn,
        "not assessed automatically",
        "manual review",
        "",
    )
    .because(format!(
        "manual check: {}",
        check
            .rule
            .manual
            .as_deref()
            .unwrap_or(&check.rule.remediation)
    ))
}

pub(super) fn node_outcome(benchmark: &Benchmark, check: &Check, view: &NodeView) -> Outcome {
    let Some(test) = &check.rule.test else {
        return manual_outcome(check);
    };
    let o = explain_kube_bench(
        check,
        leaf::condition(benchmark, check.rule.component, test, view),
    );
    match (&check.rule.manual, o.state) {
        (Some(note), State::Pass) => Outcome {
            state: State::Warn,
            reason: Some(format!(
                "the automated part passes; confirm by hand: {note}"
            )),
            ..o
        },
        _ => o,
    }
}

/// Adds the rule's note where its verdict knowingly differs from kube-bench's:
/// the same state as the note names, reached from a default or a file's content.
fn explain_kube_bench(check: &Check, mut o: Outcome) -> Outcome {
    let Some(diff) = &check.rule.kube_bench else {
        return o;
    };
    let differs = match diff.when {
        DiffersWhen::Pass => o.state == State::Pass,
        DiffersWhen::Fail => o.state == State::Fail,
    };
    if differs && o.beyond_flags {
        o.reason = Some(match o.reason {
            Some(r) => format!("{r}; {}", diff.note),
            None => diff.note.clone(),
        });
    }
    o
}

pub(super) fn cluster_outcome(check: &Check, cluster: Option<&ClusterFacts>) -> Outcome {
    match (&check.rule.test, cluster) {
        (Some(Condition::Policy(name)), Some(facts)) => policy::assess(*name, facts),
        (Some(Condition::Policy(name)), None) => Outcome::new(
            State::Warn,
            "not assessed",
            &format!("policy assessment '{name}'"),
            "Kubernetes API",
        )
        .because(
            "judged from the Kubernetes API; this scan had no access to the cluster's API".into(),
        ),
        _ => manual_outcome(check),
    }
}
