//! Shared test helpers.

pub mod app;
pub mod browser;
pub mod conformance_case;
pub mod database;
pub mod doomed;
pub mod fakekube;
pub mod gated;
pub mod hostroot;
pub mod imports;
pub mod k3s;
pub mod kubeadm;
pub mod listed_differences;
pub mod managed;
pub mod our_facts;
pub mod process;
pub mod promql;
pub mod requests;
pub mod rke2;
pub mod schema;
pub mod source_facts;
pub mod source_items;
pub mod ui;
pub mod ui_sources;
pub mod wait;
pub mod ws;

use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::eval::evaluate;
use cis_scan::engine::facts::NodeFacts;
use cis_scan::engine::report::{CheckResult, Report, State};

/// The result of check `id`, or a panic naming it.
pub fn result<'a>(report: &'a Report, id: &str) -> &'a CheckResult {
    report
        .results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no check {id} in report"))
}

/// The state of check `id`.
pub fn state(report: &Report, id: &str) -> State {
    result(report, id).state
}

/// Evaluates `nodes` under an embedded benchmark, with no skips.
pub fn eval(benchmark: &str, nodes: &[NodeFacts]) -> Report {
    let catalog = Catalog::embedded().unwrap();
    evaluate(&catalog.get(benchmark).unwrap(), nodes, &[])
}

/// Asserts every check of `expected` has its state, listing each that differs
/// with what the first node saw, where and why.
pub fn assert_states(report: &Report, expected: &[(&str, State)]) {
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(id, want)| state(report, id) != *want)
        .map(|(id, want)| {
            let n = &result(report, id).nodes[0];
            format!(
                "{id}: want {want:?}, got {:?} ({} from {}; {:?})",
                n.state, n.actual, n.source, n.reason
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        expected.len(),
        wrong.join("\n")
    );
}
