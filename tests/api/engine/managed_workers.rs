//! EKS, GKE and AKS workers judged by their own benchmarks, on host roots laid
//! out as their node images lay them out. Expected verdicts are kube-bench's
//! (cfg/eks-1.7.0 and friends) for the same files and settings.

use crate::support::hostroot::HostRoot;
use crate::support::managed;
use crate::support::{eval, state};
use cis_scan::engine::report::{Report, State};
use std::process::Command;

fn states(r: &Report, ids: &[&str]) -> Vec<(String, State)> {
    ids.iter()
        .map(|id| (id.to_string(), state(r, id)))
        .collect()
}

fn expect(table: &[(&str, State)]) -> Vec<(String, State)> {
    table.iter().map(|(i, s)| (i.to_string(), *s)).collect()
}

const EKS_NODE_CHECKS: &[&str] = &[
    "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.2.6",
    "3.2.7", "3.2.8", "3.2.9",
];

#[test]
fn an_eks_ami_worker_passes_every_eks_1_7_0_node_check_as_kube_bench_does() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let facts = h.collect("ip-10-0-1-23");
    assert_eq!(facts.distribution, "eks");
    let r = eval("eks-1.7.0", &[facts]);
    let all_pass: Vec<(&str, State)> = EKS_NODE_CHECKS.iter().map(|i| (*i, State::Pass)).collect();
    assert_eq!(states(&r, EKS_NODE_CHECKS), expect(&all_pass));
}

#[test]
fn mode_644_is_enough_for_kubeconfig_and_kubelet_config_under_eks_but_not_generic_cis() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let facts = h.collect("w");
    let eks = eval("eks-1.7.0", std::slice::from_ref(&facts));
    assert_eq!(state(&eks, "3.1.1"), State::Pass);
    assert_eq!(state(&eks, "3.1.3"), State::Pass);
    let generic = eval("cis-1.11", &[facts]);
    assert_eq!(
        state(&generic, "4.1.5"),
        State::Fail,
        "generic CIS wants 600"
    );
    assert_eq!(
        state(&generic, "4.1.9"),
        State::Fail,
        "generic CIS wants 600"
    );
}

#[test]
fn a_looser_mode_than_644_fails_eks_file_checks() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    h.chmod("/var/lib/kubelet/kubeconfig", 0o664)
        .chmod("/etc/kubernetes/kubelet/kubelet-config.json", 0o666);
    let r = eval("eks-1.7.0", &[h.collect("w")]);
    assert_eq!(state(&r, "3.1.1"), State::Fail);
    assert_eq!(state(&r, "3.1.3"), State::Fail);
}

#[test]
fn an_absent_read_only_port_fails_eks_3_2_4_which_wants_it_written_down() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let config = managed::EKS_KUBELET_CONFIG.replace("  \"readOnlyPort\": 0,\n", "");
    h.file(
        "/etc/kubernetes/kubelet/kubelet-config.json",
        &config,
        0o644,
    );
    let r = eval("eks-1.7.0", &[h.collect("w")]);
    assert_eq!(state(&r, "3.2.4"), State::Fail);
    // so do anonymous auth and the authorization mode left to defaults
    let bare = config
        .replace("\"anonymous\": {\"enabled\": false},", "")
        .replace("\"mode\": \"Webhook\",", "");
    h.file("/etc/kubernetes/kubelet/kubelet-config.json", &bare, 0o644);
    let r = eval("eks-1.7.0", &[h.collect("w")]);
    assert_eq!(state(&r, "3.2.1"), State::Fail);
    assert_eq!(state(&r, "3.2.2"), State::Fail);
}

#[test]
fn an_absent_rotate_certificates_passes_eks_3_2_8_and_false_fails_it() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let r = eval("eks-1.7.0", &[h.collect("w")]);
    assert_eq!(state(&r, "3.2.8"), State::Pass, "absent passes");
    let config = managed::EKS_KUBELET_CONFIG.replace(
        "\"readOnlyPort\": 0,",
        "\"readOnlyPort\": 0,\n  \"rotateCertificates\": false,",
    );
    h.file(
        "/etc/kubernetes/kubelet/kubelet-config.json",
        &config,
        0o644,
    );
    let r = eval("eks-1.7.0", &[h.collect("w")]);
    assert_eq!(state(&r, "3.2.8"), State::Fail);
}

#[test]
fn eks_1_5_0_wants_event_qps_written_down_where_1_7_0_accepts_its_absence() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let facts = h.collect("w");
    let old = eval("eks-1.5.0", std::slice::from_ref(&facts));
    assert_eq!(state(&old, "3.2.7"), State::Fail);
    let new = eval("eks-1.7.0", &[facts]);
    assert_eq!(state(&new, "3.2.7"), State::Pass);
}

#[test]
fn the_aws_side_recommendations_of_eks_are_manual_warnings() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let r = eval("eks-1.7.0", &[h.collect("w")]);
    for id in ["2.1.1", "2.1.2", "5.1.1", "5.3.1", "5.4.2", "5.5.1"] {
        assert_eq!(state(&r, id), State::Warn, "{id}");
    }
}

#[test]
fn check_on_an_eks_worker_chooses_the_eks_benchmark_for_its_version_and_says_why() {
    let h = HostRoot::new();
    managed::eks_worker(&h);
    let root = h.root();
    let proc = h.proc();
    let out = Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(["check", "--format", "json", "--kubernetes-version", "1.30"])
        .arg("--host-root")
        .arg(&root)
        .arg("--proc")
        .arg(&proc)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(doc["benchmark"], "eks-1.7.0", "{doc}");
    assert_eq!(
        doc["benchmarkReason"], "eks-1.7.0 for eks with Kubernetes 1.30",
        "{doc}"
    );
}

#[test]
fn a_gke_cos_worker_is_judged_by_gke_1_6_0_as_kube_bench_judges_it() {
    let h = HostRoot::new();
    managed::gke_worker(&h);
    let facts = h.collect("gke-pool-1-abcd");
    assert_eq!(facts.distribution, "gke");
    let r = eval("gke-1.6.0", &[facts]);
    let ids = [
        "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.2.6",
        "3.2.7", "3.2.8", "3.2.9",
    ];
    use State::{Fail, Pass};
    let want = [
        ("3.1.1", Pass), // proxy kubeconfig 644 is enough
        ("3.1.2", Pass),
        ("3.1.3", Fail), // the kubelet config must be 600 under gke-1.6.0
        ("3.1.4", Pass),
        ("3.2.1", Pass),
        ("3.2.2", Pass),
        ("3.2.3", Pass),
        ("3.2.4", Fail), // readOnlyPort 10255
        ("3.2.5", Pass),
        ("3.2.6", Pass),
        ("3.2.7", Fail), // eventRecordQPS must be written as 0
        ("3.2.8", Pass), // absent passes
        ("3.2.9", Pass),
    ];
    assert_eq!(states(&r, &ids), expect(&want));
}

#[test]
fn gke_1_9_0_accepts_a_644_kubelet_config_and_has_no_kubelet_setting_checks() {
    let h = HostRoot::new();
    managed::gke_worker(&h);
    let r = eval("gke-1.9.0", &[h.collect("w")]);
    assert_eq!(state(&r, "3.1.3"), State::Pass);
    assert!(r.results.iter().all(|c| !c.id.starts_with("3.2.")));
}

#[test]
fn an_aks_worker_passes_aks_1_7_node_checks_and_azure_json_is_checked() {
    let h = HostRoot::new();
    managed::aks_worker(&h);
    let facts = h.collect("aks-nodepool1-0");
    assert_eq!(facts.distribution, "aks");
    let r = eval("aks-1.7", std::slice::from_ref(&facts));
    let all_pass: Vec<(&str, State)> = EKS_NODE_CHECKS.iter().map(|i| (*i, State::Pass)).collect();
    assert_eq!(states(&r, EKS_NODE_CHECKS), expect(&all_pass));
    h.chmod("/etc/kubernetes/azure.json", 0o666);
    let r = eval("aks-1.7", &[h.collect("w")]);
    assert_eq!(state(&r, "3.1.3"), State::Fail);
}

#[test]
fn aks_1_8_skips_the_checks_kube_bench_skips_with_the_reason() {
    let h = HostRoot::new();
    managed::aks_worker(&h);
    let r = eval("aks-1.8", &[h.collect("w")]);
    for id in ["4.4.2", "4.5.1"] {
        let c = crate::support::result(&r, id);
        assert_eq!(c.state, State::NotApplicable, "{id}");
        assert!(
            c.reason
                .as_deref()
                .unwrap()
                .contains("kube-bench's aks-1.8 skips"),
            "{:?}",
            c.reason
        );
    }
}

#[test]
fn check_on_gke_and_aks_workers_chooses_their_benchmarks_by_version() {
    for (layout, version, want) in [
        (managed::gke_worker as fn(&HostRoot), "1.29", "gke-1.6.0"),
        (managed::gke_worker, "1.31", "gke-1.9.0"),
        (managed::aks_worker, "1.30", "aks-1.7"),
        (managed::aks_worker, "1.33", "aks-1.8"),
    ] {
        let h = HostRoot::new();
        layout(&h);
        let out = Command::new(env!("CARGO_BIN_EXE_cis-scan"))
            .args(["check", "--format", "json", "--kubernetes-version", version])
            .arg("--host-root")
            .arg(h.root())
            .arg("--proc")
            .arg(h.proc())
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["benchmark"], want, "{version}");
    }
}
