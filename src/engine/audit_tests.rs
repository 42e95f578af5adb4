use super::*;

const MODE: &str = "permissions 600 or more restrictive";
const OWNER: &str = "owned by root:root";

fn bare(source: &str, expected: &str) -> String {
    command(source, expected, &AuditHints::default())
}

#[test]
fn a_flag_read_from_a_process_is_seen_with_ps_by_the_process_name() {
    assert_eq!(
        bare("process 4242 (kube-apiserver)", "--profiling is false"),
        "ps -o args= -C kube-apiserver"
    );
}

#[test]
fn a_flag_read_from_a_kubeadm_static_pod_manifest_is_seen_by_reading_the_manifest() {
    assert_eq!(
        bare("manifest /etc/kubernetes/manifests/kube-apiserver.yaml", ""),
        "cat /etc/kubernetes/manifests/kube-apiserver.yaml"
    );
}

#[test]
fn an_rke2_kubelet_kubeconfig_mode_is_seen_with_stat_at_rke2s_path() {
    assert_eq!(
        bare("file /var/lib/rancher/rke2/agent/kubelet.kubeconfig", MODE),
        "stat -c '%n %a %U:%G' /var/lib/rancher/rke2/agent/kubelet.kubeconfig"
    );
}

#[test]
fn a_file_whose_content_decides_is_read_with_cat() {
    assert_eq!(
        bare(
            "file /var/lib/rancher/rke2/server/cred/encryption-config.json",
            "secrets encrypted with aescbc, kms, secretbox"
        ),
        "cat /var/lib/rancher/rke2/server/cred/encryption-config.json"
    );
}

#[test]
fn a_kubelet_setting_shows_the_config_file_then_its_drop_ins_in_order() {
    let drop_ins = [
        "/etc/kubernetes/kubelet.conf.d/10-a.conf".to_string(),
        "/etc/kubernetes/kubelet.conf.d/20-b/30-c.conf".to_string(),
    ];
    let hints = AuditHints {
        binary: Some("kubelet"),
        drop_ins: &drop_ins,
        ..Default::default()
    };
    assert_eq!(
        command(
            "config file /var/lib/kubelet/config.yaml (authentication.anonymous.enabled)",
            "",
            &hints
        ),
        "cat /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.conf.d/10-a.conf /etc/kubernetes/kubelet.conf.d/20-b/30-c.conf"
    );
}

#[test]
fn a_k3s_component_is_seen_in_the_arguments_k3s_logs_when_it_starts_it() {
    let hints = AuditHints {
        binary: Some("kube-apiserver"),
        ..Default::default()
    };
    let source = "manifest k3s process 77: k3s's own arguments, /etc/rancher/k3s/config.yaml(.d) and its command line";
    assert_eq!(
        command(source, "", &hints),
        "journalctl -u k3s -u k3s-agent | grep 'Running kube-apiserver' | tail -n 1"
    );
}

#[test]
fn a_default_is_seen_where_the_components_arguments_were_read() {
    let hints = AuditHints {
        binary: Some("kube-apiserver"),
        args_source: Some("manifest /var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml"),
        ..Default::default()
    };
    let source = "default (kube-apiserver uses false when --profiling is not given)";
    assert_eq!(
        command(source, "", &hints),
        "cat /var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml"
    );
    assert_eq!(bare(source, ""), "ps -o args= -C kube-apiserver");
}

#[test]
fn files_matched_by_a_pattern_under_a_directory_are_found_and_stat_ed() {
    let hints = AuditHints {
        pattern: Some("*.crt"),
        ..Default::default()
    };
    assert_eq!(
        command("12 files under /etc/kubernetes/pki", MODE, &hints),
        "find /etc/kubernetes/pki -type f -name '*.crt' -exec stat -c '%n %a %U:%G' {} +"
    );
}

#[test]
fn a_missing_file_is_stat_ed_at_every_place_looked_at() {
    assert_eq!(
        bare(
            "looked at /etc/kubernetes/admin.conf, /var/lib/rancher/k3s/server/cred/admin.kubeconfig",
            OWNER
        ),
        "stat -c '%n %a %U:%G' /etc/kubernetes/admin.conf /var/lib/rancher/k3s/server/cred/admin.kubeconfig"
    );
}

#[test]
fn a_section_5_assessment_lists_what_it_read_with_kubectl() {
    assert_eq!(
        bare("Kubernetes API (clusterroles, roles)", ""),
        "kubectl get clusterroles,roles -A -o yaml"
    );
    let hints = AuditHints {
        api_reads: &["namespaces"],
        ..Default::default()
    };
    assert_eq!(
        command("Kubernetes API", "", &hints),
        "kubectl get namespaces -A -o yaml"
    );
}

#[test]
fn etcd_environment_settings_are_read_from_its_environ() {
    assert_eq!(
        bare("environment ETCD_CLIENT_CERT_AUTH", ""),
        "tr '\\0' '\\n' < /proc/$(pgrep -o -x etcd)/environ | grep '^ETCD_CLIENT_CERT_AUTH='"
    );
    assert_eq!(bare("environment ETCD_$(reboot)", ""), "");
}

#[test]
fn systemd_unit_files_are_read_in_the_order_systemd_applies_them() {
    assert_eq!(
        bare(
            "systemd unit /lib/systemd/system/kubelet.service + /etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
            ""
        ),
        "cat /lib/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
    );
}

#[test]
fn combined_sources_give_each_command_once() {
    assert_eq!(
        bare(
            "process 9 (kubelet); process 9 (kubelet); file /var/lib/kubelet/config.yaml",
            OWNER
        ),
        "ps -o args= -C kubelet; stat -c '%n %a %U:%G' /var/lib/kubelet/config.yaml"
    );
}

#[test]
fn paths_and_names_read_from_a_node_never_run_as_commands() {
    assert_eq!(
        bare("file /etc/a b'$(reboot)", MODE),
        "stat -c '%n %a %U:%G' '/etc/a b'\\''$(reboot)'"
    );
    assert_eq!(
        bare("file /etc/x; rm -rf /", MODE),
        "stat -c '%n %a %U:%G' /etc/x"
    );
    assert_eq!(bare("process 12 (a$(reboot))", ""), "ps -o args= -p 12");
    assert_eq!(bare("process $(x) (a b)", ""), "ps -o args= -p '$(x)'");
}

#[test]
fn nothing_to_run_gives_no_command() {
    assert_eq!(bare("", ""), "");
    assert_eq!(bare("collector", ""), "");
    assert_eq!(bare("cis-1.8", ""), "");
}

fn entry(path: &str, kind: &str) -> FileEntry {
    FileEntry {
        path: path.into(),
        kind: kind.into(),
        ..Default::default()
    }
}

#[test]
fn a_directory_holding_every_file_judged_is_found_whole() {
    let files = [
        entry("/etc/kubernetes/pki", "dir"),
        entry("/etc/kubernetes/pki/ca.crt", "file"),
        entry("/etc/kubernetes/pki/etcd", "dir"),
    ];
    let hints = AuditHints {
        files: &files,
        ..Default::default()
    };
    assert_eq!(
        command("3 files under /etc/kubernetes", OWNER, &hints),
        "find /etc/kubernetes/pki -exec stat -c '%n %a %U:%G' {} +"
    );
}

#[test]
fn a_few_files_in_unrelated_places_are_listed_by_name_never_found_under_root() {
    let files = [
        entry("/lib/systemd/system/kubelet.service", "file"),
        entry(
            "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
            "file",
        ),
    ];
    let hints = AuditHints {
        files: &files,
        ..Default::default()
    };
    assert_eq!(
        command("2 files under /", MODE, &hints),
        "stat -c '%n %a %U:%G' /lib/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
    );
    assert_eq!(bare("2 files under /", MODE), "");
}

#[test]
fn a_kubelet_default_shows_its_arguments_then_its_config_file_and_drop_ins() {
    let drop_ins =
        ["/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf".to_string()];
    let hints = AuditHints {
        binary: Some("kubelet"),
        args_source: Some("process 900 (kubelet)"),
        config: Some("/var/lib/kubelet/config.yaml"),
        drop_ins: &drop_ins,
        ..Default::default()
    };
    assert_eq!(
        command(
            "default (kubelet uses 0 when --read-only-port is not given and a config file is in use)",
            "",
            &hints
        ),
        "ps -o args= -C kubelet; cat /var/lib/kubelet/config.yaml /var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf"
    );
}
