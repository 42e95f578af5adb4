//! Audits on RKE2 and k3s nodes, whose components run as the distribution runs them.

use super::*;

fn bare(source: &str, expected: &str) -> String {
    command(source, expected, &AuditHints::default())
}

const K3S_ARGS: &str = "manifest k3s process 3000: k3s's own arguments, /etc/rancher/k3s/config.yaml(.d) and its command line";

#[test]
fn a_k3s_default_is_seen_in_k3s_s_log_line_for_that_component() {
    let hints = AuditHints {
        binary: Some("kube-proxy"),
        args_source: Some(K3S_ARGS),
        ..Default::default()
    };
    assert_eq!(
        command(
            "default (kube-proxy uses 127.0.0.1:10249 when --metrics-bind-address is not given)",
            "",
            &hints
        ),
        "journalctl -u k3s -u k3s-agent | grep 'Running kube-proxy' | tail -n 1"
    );
}

#[test]
fn k3s_embedded_etcd_is_seen_in_the_config_file_it_reads() {
    let hints = AuditHints {
        binary: Some("etcd"),
        args_source: Some(K3S_ARGS),
        config: Some("/var/lib/rancher/k3s/server/db/etcd/config"),
        ..Default::default()
    };
    assert_eq!(
        command(
            "default (etcd uses false when --auto-tls is not given)",
            "",
            &hints
        ),
        "cat /var/lib/rancher/k3s/server/db/etcd/config"
    );
}

#[test]
fn an_rke2_kubelet_with_only_a_config_dir_shows_its_drop_ins_in_order() {
    let source = "config file /var/lib/rancher/rke2/agent/etc/kubelet.conf.d (drop-ins, no --config) (readOnlyPort)";
    let drop_ins = [
        "/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf".to_string(),
        "/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/20-cli-config-dir/10-user.conf".to_string(),
    ];
    let hints = AuditHints {
        drop_ins: &drop_ins,
        ..Default::default()
    };
    assert_eq!(
        command(source, "", &hints),
        "cat /var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf /var/lib/rancher/rke2/agent/etc/kubelet.conf.d/20-cli-config-dir/10-user.conf"
    );
    assert_eq!(
        bare(source, ""),
        "find /var/lib/rancher/rke2/agent/etc/kubelet.conf.d -name '*.conf' -print0 | sort -z | xargs -0 cat"
    );
}
