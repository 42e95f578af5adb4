//! Where a verdict knowingly differs from kube-bench's, the node result's
//! reason says so (docs/VERDICTS.md lists these places).

use crate::support::hostroot::HostRoot;
use crate::support::kubeadm;
use crate::support::{result, state};
use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::eval::evaluate;
use cis_scan::engine::report::{Report, State};

fn eval(h: &HostRoot) -> Report {
    let catalog = Catalog::embedded().unwrap();
    evaluate(&catalog.get("cis-1.8").unwrap(), &[h.collect("n1")], &[])
}

fn reason(r: &Report, id: &str) -> String {
    result(r, id).nodes[0].reason.clone().unwrap_or_default()
}

fn worker_with_config(config: &str) -> HostRoot {
    let h = HostRoot::new();
    kubeadm::worker(&h);
    h.file("/var/lib/kubelet/config.yaml", config, 0o644);
    h
}

#[test]
fn absent_rotate_certificates_fails_and_says_kube_bench_passes_it() {
    let h = worker_with_config(&kubeadm::KUBELET_CONFIG.replace("rotateCertificates: true\n", ""));
    let r = eval(&h);
    assert_eq!(state(&r, "4.2.10"), State::Fail);
    assert!(
        reason(&r, "4.2.10")
            .contains("kube-bench passes an absent setting; the kubelet's default is false"),
        "{}",
        reason(&r, "4.2.10")
    );
}

#[test]
fn explicit_rotate_certificates_false_carries_no_kube_bench_note() {
    let h = worker_with_config(
        &kubeadm::KUBELET_CONFIG.replace("rotateCertificates: true", "rotateCertificates: false"),
    );
    let r = eval(&h);
    assert_eq!(state(&r, "4.2.10"), State::Fail);
    assert!(
        !reason(&r, "4.2.10").contains("kube-bench"),
        "{}",
        reason(&r, "4.2.10")
    );
}

#[test]
fn anonymous_auth_absent_from_the_config_file_passes_and_says_kube_bench_fails_it() {
    let h = worker_with_config(
        &kubeadm::KUBELET_CONFIG.replace("  anonymous:\n    enabled: false\n", ""),
    );
    let r = eval(&h);
    assert_eq!(state(&r, "4.2.1"), State::Pass);
    assert!(
        reason(&r, "4.2.1").contains("kube-bench fails an absent setting"),
        "{}",
        reason(&r, "4.2.1")
    );
}

#[test]
fn scheduler_without_bind_address_fails_and_says_kube_bench_passes_it() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let sched: Vec<&str> = kubeadm::SCHEDULER
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--bind-address"))
        .collect();
    h.process(103, &sched);
    let r = eval(&h);
    assert_eq!(state(&r, "1.4.2"), State::Fail);
    assert!(
        reason(&r, "1.4.2").contains("kube-scheduler's default is 0.0.0.0"),
        "{}",
        reason(&r, "1.4.2")
    );
}
