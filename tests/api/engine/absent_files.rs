//! One rule for a file found nowhere (docs/VERDICTS.md, "Absent files"): a
//! path something names is configured, so its absence FAILs; a path only
//! guessed means the file is not configured here: NOT_APPLICABLE.

use crate::support::hostroot::HostRoot;
use crate::support::{eval, result, state};
use cis_scan::engine::report::State;

const CONFIG: &str =
    "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n";

fn kubelet_node(argv: &[&str]) -> cis_scan::engine::facts::NodeFacts {
    let h = HostRoot::new();
    h.file("/var/lib/kubelet/config.yaml", CONFIG, 0o600)
        .process(100, argv);
    h.collect("worker-1")
}

#[test]
fn a_kubelet_without_kubeconfig_has_no_kubeconfig_to_judge() {
    let facts = kubelet_node(&["kubelet", "--config=/var/lib/kubelet/config.yaml"]);
    let r = eval("cis-1.8", &[facts]);
    // the same kind of absence, the same verdict: kube-proxy's kubeconfig and the kubelet's
    for id in ["4.1.3", "4.1.4", "4.1.5", "4.1.6"] {
        assert_eq!(state(&r, id), State::NotApplicable, "{id}");
    }
    let reason = result(&r, "4.1.5").nodes[0].reason.clone().unwrap();
    assert!(reason.contains("not configured on this node"), "{reason}");
}

#[test]
fn a_kubeconfig_the_kubelet_names_but_lacks_fails_naming_the_flag() {
    let facts = kubelet_node(&[
        "kubelet",
        "--config=/var/lib/kubelet/config.yaml",
        "--kubeconfig=/etc/kubernetes/kubelet.conf",
    ]);
    let r = eval("cis-1.8", &[facts]);
    assert_eq!(state(&r, "4.1.5"), State::Fail);
    let n = &result(&r, "4.1.5").nodes[0];
    assert_eq!(n.source, "kubelet --kubeconfig");
    assert!(
        n.reason
            .as_deref()
            .unwrap()
            .contains("/etc/kubernetes/kubelet.conf"),
        "{:?}",
        n.reason
    );
}

#[test]
fn a_client_ca_the_kubelet_config_names_but_lacks_fails_naming_the_field() {
    let h = HostRoot::new();
    h.file(
        "/var/lib/kubelet/config.yaml",
        "authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n",
        0o600,
    )
    .process(100, &["kubelet", "--config=/var/lib/kubelet/config.yaml"]);
    let r = eval("cis-1.12", &[h.collect("worker-1")]);
    // 4.1.8 is unscored in cis-1.12: its FAIL shows as WARN with the failure as reason
    let n = &result(&r, "4.1.8").nodes[0];
    assert_eq!(n.state, State::Warn, "{n:?}");
    assert!(n
        .reason
        .as_deref()
        .unwrap()
        .contains("unscored check would fail"));
    assert!(
        n.source
            .contains("authentication.x509.clientCAFile in /var/lib/kubelet/config.yaml"),
        "{}",
        n.source
    );
}

#[test]
fn a_kubeconfig_inside_the_proxy_container_is_judged_there() {
    let h = HostRoot::new();
    h.process(
        100,
        &[
            "kube-proxy",
            "--kubeconfig=/var/lib/kube-proxy/kubeconfig.conf",
        ],
    );
    // the DaemonSet's volume, seen through the process's own root
    let inner = h.proc().join("100/root/var/lib/kube-proxy");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(inner.join("kubeconfig.conf"), "kind: Config\n").unwrap();
    let r = eval("cis-1.12", &[h.collect("worker-1")]);
    let n = &result(&r, "4.1.3").nodes[0];
    assert_ne!(n.state, State::Fail, "{n:?}");
    assert!(
        n.source.contains("in the container of process 100"),
        "{}",
        n.source
    );
}
