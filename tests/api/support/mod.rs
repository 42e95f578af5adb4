//! Shared test helpers.

pub mod app;
pub mod browser;
pub mod doomed;
pub mod fakekube;
pub mod hostroot;
pub mod k3s;
pub mod kubeadm;
pub mod managed;
pub mod process;
pub mod rke2;
pub mod ui;
pub mod ui_sources;
pub mod ws;

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
