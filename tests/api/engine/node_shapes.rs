//! Verdicts for real-world node shapes, collected from host roots built in temp dirs.

use crate::support::hostroot::{HostRoot, ETCD_UID};
use crate::support::kubeadm;
use crate::support::{eval, result, state};
use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::eval::evaluate;
use cis_scan::engine::report::{Report, Skip, State};

fn node<'a>(report: &'a Report, id: &str, node: &str) -> &'a cis_scan::engine::report::NodeResult {
    result(report, id)
        .nodes
        .iter()
        .find(|n| n.node == node)
        .unwrap()
}

#[test]
fn default_kubeadm_control_plane() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let facts = h.collect("cp-1");
    assert_eq!(facts.distribution, "kubeadm");
    assert_eq!(facts.kubernetes_version.as_deref(), Some("v1.26.3"));
    let r = eval("cis-1.8", &[facts]);

    // profiling is on unless turned off: FAIL, and the result says it is the default
    assert_eq!(state(&r, "1.2.16"), State::Fail);
    let n = node(&r, "1.2.16", "cp-1");
    assert_eq!(n.actual, "--profiling=true (default)");
    assert!(n.source.starts_with("default"), "{}", n.source);
    // authorization: Node,RBAC
    for id in ["1.2.6", "1.2.7", "1.2.8"] {
        assert_eq!(state(&r, id), State::Pass, "{id}");
    }
    assert_eq!(
        node(&r, "1.2.7", "cp-1").actual,
        "--authorization-mode=Node,RBAC"
    );
    assert!(node(&r, "1.2.7", "cp-1").source.starts_with("process 101"));
    // no audit log, controller manager and scheduler profiling on
    assert_eq!(state(&r, "1.2.17"), State::Fail);
    assert_eq!(state(&r, "1.3.2"), State::Fail);
    assert_eq!(state(&r, "1.4.1"), State::Fail);
    assert_eq!(state(&r, "1.3.7"), State::Pass);
    // anonymous auth defaults to true; the check is unscored in 1.8, so WARN
    assert_eq!(state(&r, "1.2.1"), State::Warn);
    assert!(node(&r, "1.2.1", "cp-1")
        .reason
        .as_deref()
        .unwrap()
        .contains("unscored"));
    // admission plugins: NodeRestriction enabled, ServiceAccount on by default
    assert_eq!(state(&r, "1.2.15"), State::Pass);
    assert_eq!(state(&r, "1.2.13"), State::Pass);
    assert_eq!(node(&r, "1.2.13", "cp-1").source, "default");
    assert_eq!(
        state(&r, "1.2.11"),
        State::Warn,
        "AlwaysPullImages missing, unscored"
    );
    // files: manifests 600 root:root pass, etcd data dir owned by root fails
    assert_eq!(state(&r, "1.1.1"), State::Pass);
    assert_eq!(state(&r, "1.1.2"), State::Pass);
    assert_eq!(state(&r, "1.1.12"), State::Fail);
    assert_eq!(node(&r, "1.1.12", "cp-1").actual, "/var/lib/etcd root:root");
    assert_eq!(state(&r, "1.1.11"), State::Pass);
    assert_eq!(state(&r, "1.1.19"), State::Pass);
    // etcd
    assert_eq!(state(&r, "2.2"), State::Pass);
    assert_eq!(state(&r, "2.3"), State::Pass);
    assert_eq!(node(&r, "2.3", "cp-1").actual, "--auto-tls=false (default)");
    // kubelet through its config file
    assert_eq!(state(&r, "4.2.1"), State::Pass);
    assert!(node(&r, "4.2.1", "cp-1")
        .source
        .contains("/var/lib/kubelet/config.yaml (authentication.anonymous.enabled)"));
    assert_eq!(
        state(&r, "4.2.4"),
        State::Pass,
        "read-only port defaults to 0 with a config file"
    );
    assert_eq!(state(&r, "4.2.10"), State::Pass);
    // kubeadm writes the kubelet config and unit world-readable
    assert_eq!(state(&r, "4.1.9"), State::Fail);
    assert_eq!(state(&r, "4.1.1"), State::Fail);
    assert_eq!(state(&r, "4.1.5"), State::Pass);
    // section 5 needs the cluster's API
    assert_eq!(state(&r, "5.1.1"), State::Warn);
    assert_eq!(r.summary.total, 130);
}

#[test]
fn hardened_control_plane_passes_what_default_fails() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let mut api: Vec<&str> = kubeadm::APISERVER.to_vec();
    api.extend([
        "--profiling=false",
        "--anonymous-auth=false",
        "--audit-log-path=/var/log/apiserver/audit.log",
        "--audit-log-maxage=30",
        "--audit-log-maxbackup=10",
        "--audit-log-maxsize=100",
        "--enable-admission-plugins=NodeRestriction,AlwaysPullImages,EventRateLimit",
        "--encryption-provider-config=/etc/kubernetes/enc/config.yaml",
        "--admission-control-config-file=/etc/kubernetes/admission.yaml",
        "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
        "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
    ]);
    h.process(101, &api)
        .file(
            "/etc/kubernetes/admission.yaml",
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: EventRateLimit\n  configuration:\n    apiVersion: eventratelimit.admission.k8s.io/v1alpha1\n    kind: Configuration\n    limits:\n    - {type: Server, qps: 50, burst: 100}\n",
            0o600,
        )
        .file(
            "/etc/kubernetes/audit-policy.yaml",
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n",
            0o600,
        )
        .file(
            "/etc/kubernetes/enc/config.yaml",
            "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys: [{name: k1, secret: c2VjcmV0}]\n  - identity: {}\n",
            0o600,
        )
        .chown("/var/lib/etcd", ETCD_UID, ETCD_UID)
        .chmod("/var/lib/kubelet/config.yaml", 0o600)
        .chmod("/lib/systemd/system/kubelet.service", 0o600)
        .chmod("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", 0o600);
    let r = eval("cis-1.8", &[h.collect("cp-1")]);
    for id in [
        "1.2.1", "1.2.5", "1.2.9", "1.2.11", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19",
        "1.2.20", "1.2.28", "1.2.29", "1.1.12", "3.2.1", "4.1.1", "4.1.9",
    ] {
        assert_eq!(
            state(&r, id),
            State::Pass,
            "{id}: {:?}",
            result(&r, id).nodes
        );
    }
    // last occurrence of --enable-admission-plugins wins
    assert!(node(&r, "1.2.11", "cp-1")
        .actual
        .contains("AlwaysPullImages"));
    assert_eq!(
        node(&r, "1.2.29", "cp-1").actual,
        "providers for secrets: aescbc, identity"
    );
}

#[test]
fn flags_written_as_separate_words() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let mut api: Vec<&str> = kubeadm::APISERVER.to_vec();
    api.extend([
        "--profiling",
        "false",
        "--audit-log-maxage",
        "7",
        "--anonymous-auth",
    ]);
    h.process(101, &api);
    let r = eval("cis-1.8", &[h.collect("cp-1")]);
    assert_eq!(state(&r, "1.2.16"), State::Pass);
    assert_eq!(node(&r, "1.2.18", "cp-1").actual, "--audit-log-maxage=7");
    assert_eq!(state(&r, "1.2.18"), State::Fail);
    // a bare boolean flag means true
    assert_eq!(node(&r, "1.2.1", "cp-1").actual, "--anonymous-auth=true");
}

#[test]
fn an_empty_flag_value_is_not_set() {
    // issue class 4: `--client-ca-file=` passed "is set"
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let mut api: Vec<&str> = kubeadm::APISERVER
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--client-ca-file"))
        .collect();
    api.push("--client-ca-file=");
    h.process(101, &api);
    let r = eval("cis-1.8", &[h.collect("cp-1")]);
    assert_eq!(state(&r, "1.2.26"), State::Fail);
    assert_eq!(node(&r, "1.2.26", "cp-1").actual, "--client-ca-file=");
}

#[test]
fn running_process_beats_its_manifest() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let mut api: Vec<&str> = kubeadm::APISERVER.to_vec();
    api.push("--profiling=false");
    h.process(101, &api);
    let r = eval("cis-1.8", &[h.collect("cp-1")]);
    assert_eq!(state(&r, "1.2.16"), State::Pass);
    // without the process, the manifest (which lacks the flag) decides
    let h2 = HostRoot::new();
    kubeadm::control_plane(&h2);
    std::fs::remove_dir_all(h2.proc().join("101")).unwrap();
    let r2 = eval("cis-1.8", &[h2.collect("cp-1")]);
    assert_eq!(state(&r2, "1.2.16"), State::Fail);
    assert!(node(&r2, "1.2.7", "cp-1")
        .source
        .starts_with("manifest /etc/kubernetes/manifests/kube-apiserver.yaml"));
}

#[test]
fn kubelet_configured_only_through_config_file() {
    let h = HostRoot::new();
    h.file(
        "/etc/kubernetes/kubelet-config.yaml",
        "kind: KubeletConfiguration\nauthentication:\n  anonymous: {enabled: true}\nauthorization: {mode: AlwaysAllow}\nreadOnlyPort: 10255\nstreamingConnectionIdleTimeout: 0s\nmakeIPTablesUtilChains: false\nrotateCertificates: false\nfeatureGates:\n  RotateKubeletServerCertificate: false\npodPidsLimit: 4096\nseccompDefault: true\n",
        0o600,
    )
    .process(77, &["kubelet", "--config=/etc/kubernetes/kubelet-config.yaml"]);
    let r = eval("cis-1.12", &[h.collect("w-1")]);
    for id in ["4.2.1", "4.2.2", "4.2.6", "4.2.10"] {
        assert_eq!(state(&r, id), State::Fail, "{id}");
        assert!(
            node(&r, id, "w-1")
                .source
                .starts_with("config file /etc/kubernetes/kubelet-config.yaml"),
            "{id}"
        );
    }
    assert_eq!(
        node(&r, "4.2.2", "w-1").actual,
        "--authorization-mode=AlwaysAllow"
    );
    // unscored ones WARN
    assert_eq!(state(&r, "4.2.4"), State::Warn);
    assert_eq!(state(&r, "4.2.5"), State::Warn, "0s is 0");
    assert_eq!(state(&r, "4.2.11"), State::Warn);
    assert_eq!(state(&r, "4.2.13"), State::Pass);
    assert_eq!(state(&r, "4.2.14"), State::Pass);
    // a worker: control plane checks do not apply
    assert_eq!(state(&r, "1.2.1"), State::NotApplicable);
    assert_eq!(state(&r, "2.1"), State::NotApplicable);
}

#[test]
fn command_line_flag_beats_kubelet_config_file() {
    let h = HostRoot::new();
    h.file(
        "/var/lib/kubelet/config.yaml",
        "readOnlyPort: 10255\n",
        0o600,
    )
    .process(
        77,
        &[
            "kubelet",
            "--config=/var/lib/kubelet/config.yaml",
            "--read-only-port=0",
        ],
    );
    let r = eval("cis-1.12", &[h.collect("w-1")]);
    assert_eq!(state(&r, "4.2.4"), State::Pass);
    assert_eq!(node(&r, "4.2.4", "w-1").source, "process 77 (kubelet)");
}

#[test]
fn kubelet_args_from_systemd_unit_when_not_running() {
    let h = HostRoot::new();
    kubeadm::worker(&h);
    std::fs::remove_dir_all(h.proc().join("900")).unwrap();
    h.file(
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=--hostname-override=node-x\n",
        0o644,
    )
    .file(
        "/etc/systemd/system/kubelet.service.d/20-deny.conf",
        "[Service]\nIPAddressDeny=any\n",
        0o600,
    );
    let facts = h.collect("w-1");
    let unit = facts.components["kubelet"].unit.as_ref().unwrap();
    assert!(
        unit.args
            .contains(&"--config=/var/lib/kubelet/config.yaml".to_string()),
        "{:?}",
        unit.args
    );
    let r = eval("cis-1.11", &[facts]);
    assert_eq!(
        state(&r, "4.2.7"),
        State::Warn,
        "hostname override set, unscored"
    );
    assert_eq!(
        node(&r, "4.2.7", "w-1").actual,
        "--hostname-override=node-x"
    );
    assert_eq!(state(&r, "4.2.15"), State::Pass);
    assert_eq!(state(&r, "4.2.1"), State::Pass);
}

#[test]
fn node_without_etcd() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    h.remove("/etc/kubernetes/manifests/etcd.yaml");
    std::fs::remove_dir_all(h.proc().join("104")).unwrap();
    let r = eval("cis-1.8", &[h.collect("cp-1")]);
    for id in ["2.1", "2.2", "2.7", "1.1.7", "1.1.11", "1.1.12"] {
        assert_eq!(state(&r, id), State::NotApplicable, "{id}");
    }
    assert!(node(&r, "2.1", "cp-1")
        .reason
        .as_deref()
        .unwrap()
        .contains("etcd does not run"));
    assert_eq!(state(&r, "1.2.7"), State::Pass);
}

#[test]
fn unreadable_manifest_is_error_not_pass() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    // no running apiserver, and its manifest cannot be read (a directory stands in its place)
    std::fs::remove_dir_all(h.proc().join("101")).unwrap();
    h.remove("/etc/kubernetes/manifests/kube-apiserver.yaml");
    h.dir("/etc/kubernetes/manifests/kube-apiserver.yaml", 0o700);
    let r = eval("cis-1.8", &[h.collect("cp-1")]);
    for id in ["1.2.6", "1.2.7", "1.2.16", "1.2.2"] {
        assert_eq!(state(&r, id), State::Error, "{id}");
    }
    assert!(node(&r, "1.2.7", "cp-1")
        .reason
        .as_deref()
        .unwrap()
        .contains("could not read"));
}

#[test]
fn unreadable_kubelet_config_is_error() {
    let h = HostRoot::new();
    h.file(
        "/var/lib/kubelet/config.yaml",
        "authentication: [unclosed\n",
        0o600,
    )
    .process(77, &["kubelet", "--config=/var/lib/kubelet/config.yaml"]);
    let r = eval("cis-1.12", &[h.collect("w-1")]);
    assert_eq!(state(&r, "4.2.1"), State::Error);
    // a flag on the command line is still read
    assert_eq!(state(&r, "4.2.7"), State::Pass);
}

#[test]
fn etcd_settings_from_environment() {
    let h = HostRoot::new();
    h.process_env(
        50,
        &["etcd", "--data-dir=/var/lib/etcd"],
        &[("ETCD_CLIENT_CERT_AUTH", "true"), ("AWS_SECRET", "x")],
    );
    let facts = h.collect("etcd-1");
    let p = facts.components["etcd"].process.as_ref().unwrap();
    assert!(
        !p.env.contains_key("AWS_SECRET"),
        "unrelated variables are not recorded"
    );
    let r = eval("cis-1.12", &[facts]);
    assert_eq!(state(&r, "2.2"), State::Pass);
    assert_eq!(
        node(&r, "2.2", "etcd-1").source,
        "environment ETCD_CLIENT_CERT_AUTH"
    );
    assert_eq!(state(&r, "2.5"), State::Fail);
}

#[test]
fn rke2_paths_are_discovered() {
    let h = HostRoot::new();
    let m = "/var/lib/rancher/rke2/agent/pod-manifests";
    h.manifest(
        &format!("{m}/kube-apiserver.yaml"),
        "kube-apiserver",
        "index.docker.io/rancher/hardened-kubernetes:v1.30.4-rke2r1",
        &[
            "kube-apiserver",
            "--profiling=false",
            "--authorization-mode=Node,RBAC",
        ],
    )
    .dir("/var/lib/rancher/rke2/server/tls", 0o700)
    .file(
        "/var/lib/rancher/rke2/server/tls/server-ca.crt",
        "PEM",
        0o644,
    )
    .file(
        "/var/lib/rancher/rke2/server/tls/server-ca.key",
        "PEM",
        0o644,
    );
    let facts = h.collect("rke2-cp");
    assert_eq!(facts.distribution, "rke2");
    assert_eq!(
        facts.files["apiserver-manifest"].entries[0].path,
        format!("{m}/kube-apiserver.yaml")
    );
    let r = eval("cis-1.11", &[facts]);
    assert_eq!(state(&r, "1.1.1"), State::Pass);
    assert_eq!(state(&r, "1.2.15"), State::Pass);
    assert_eq!(
        state(&r, "1.1.21"),
        State::Warn,
        "a 644 key fails an unscored check"
    );
    assert!(node(&r, "1.1.21", "rke2-cp")
        .actual
        .contains("server-ca.key 644"));
}

#[test]
fn k3s_embedded_components_run_with_k3s_own_arguments() {
    let h = HostRoot::new();
    h.file(
        "/etc/rancher/k3s/config.yaml",
        "kube-apiserver-arg:\n  - \"audit-log-path=/var/log/audit.log\"\n  - \"profiling=true\"\n",
        0o600,
    )
    .process(1, &["/usr/local/bin/k3s server", ""]);
    let r = eval("cis-1.12", &[h.collect("k3s-1")]);
    assert_eq!(state(&r, "1.2.16"), State::Pass);
    // k3s passes --anonymous-auth=false itself
    let n = node(&r, "1.2.1", "k3s-1");
    assert_eq!(n.actual, "--anonymous-auth=false");
    // the source names the k3s code that passes it
    assert!(
        n.source
            .starts_with("k3s's own argument (k3s-io/k3s pkg/daemons/control/server.go"),
        "{}",
        n.source
    );
    // a kube-apiserver-arg overrides k3s's own --profiling=false, as k3s appends it
    assert_eq!(state(&r, "1.2.15"), State::Fail);
    assert!(node(&r, "1.2.15", "k3s-1")
        .source
        .starts_with("kube-apiserver-arg in /etc/rancher/k3s/config.yaml"));
}

#[test]
fn k3s_embedded_etcd_without_its_config_file_is_never_guessed() {
    let h = HostRoot::new();
    h.dir("/var/lib/rancher/k3s/server/db/etcd", 0o700)
        .process(1, &["/usr/local/bin/k3s server", ""]);
    let r = eval("cis-1.12", &[h.collect("k3s-1")]);
    let n = node(&r, "2.2", "k3s-1");
    assert_eq!(n.state, State::Warn, "no etcd config file: no verdict");
    assert!(n.reason.as_deref().unwrap().contains("k3s"));
}

#[test]
fn cluster_state_across_nodes_and_skips() {
    let cp = HostRoot::new();
    kubeadm::control_plane(&cp);
    let w = HostRoot::new();
    kubeadm::worker(&w);
    w.chmod("/etc/kubernetes/kubelet.conf", 0o644);
    let nodes = [cp.collect("cp-1"), w.collect("w-1")];
    let catalog = Catalog::embedded().unwrap();
    let b = catalog.get("cis-1.8").unwrap();
    let r = evaluate(&b, &nodes, &[]);
    // failing on one node of two: FAIL, per-node kept
    assert_eq!(state(&r, "4.1.5"), State::Fail);
    assert_eq!(node(&r, "4.1.5", "cp-1").state, State::Pass);
    assert_eq!(node(&r, "4.1.5", "w-1").state, State::Fail);
    // control plane check: N/A on the worker, FAIL overall
    assert_eq!(node(&r, "1.2.16", "w-1").state, State::NotApplicable);
    assert_eq!(state(&r, "1.2.16"), State::Fail);
    // skipped checks report SKIP with the reason and who
    let skips = [Skip {
        id: "1.2.16".into(),
        reason: Some("profiling needed for tuning".into()),
        by: Some("alice".into()),
        at: None,
        nodes: Vec::new(),
    }];
    let r = evaluate(&b, &nodes, &skips);
    assert_eq!(state(&r, "1.2.16"), State::Skip);
    assert!(result(&r, "1.2.16")
        .reason
        .as_deref()
        .unwrap()
        .contains("profiling needed for tuning (by alice"));
    assert_eq!(r.summary.skip, 1);
    let s = r.summary;
    assert_eq!(
        s.total,
        s.pass + s.fail + s.warn + s.skip + s.not_applicable + s.error
    );
}

#[test]
fn no_nodes_means_nothing_passes() {
    let r = eval("cis-1.10", &[]);
    assert_eq!(r.summary.pass, 0);
    assert_eq!(state(&r, "1.2.1"), State::NotApplicable);
}

#[test]
fn etcd_with_a_config_file_reads_only_that_file() {
    // RKE2 runs etcd as `etcd --config-file=/var/lib/rancher/rke2/server/db/etcd/config`
    let h = HostRoot::new();
    let cfg = "/var/lib/rancher/rke2/server/db/etcd/config";
    h.file(
        cfg,
        "name: rke2-cp\ndata-dir: /var/lib/rancher/rke2/server/db/etcd\nclient-transport-security:\n  cert-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.crt\n  key-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.key\n  client-cert-auth: true\n  trusted-ca-file: /var/lib/rancher/rke2/server/tls/etcd/server-ca.crt\npeer-transport-security:\n  cert-file: /var/lib/rancher/rke2/server/tls/etcd/peer-server-client.crt\n  key-file: /var/lib/rancher/rke2/server/tls/etcd/peer-server-client.key\n  client-cert-auth: true\n",
        0o600,
    )
    .dir("/var/lib/rancher/rke2/server/db/etcd", 0o700)
    .chown("/var/lib/rancher/rke2/server/db/etcd", ETCD_UID, ETCD_UID)
    // a flag on the command line that etcd ignores because of --config-file
    .process(60, &["etcd", &format!("--config-file={cfg}"), "--client-cert-auth=false"]);
    let r = eval("cis-1.11", &[h.collect("rke2-cp")]);
    for id in ["2.1", "2.2", "2.4", "2.5", "1.1.11", "1.1.12"] {
        assert_eq!(
            state(&r, id),
            State::Pass,
            "{id}: {:?}",
            result(&r, id).nodes
        );
    }
    assert!(node(&r, "2.2", "rke2-cp")
        .source
        .contains("(client-transport-security.client-cert-auth)"));
    assert_eq!(
        node(&r, "2.3", "rke2-cp").actual,
        "--auto-tls=false (default)"
    );
}
