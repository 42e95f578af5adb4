//! Where each distribution keeps the files the benchmark names. The facts
//! record every path tried and which one was found.

/// Candidate locations of a component's static pod manifest.
pub fn manifests(component: &str) -> Vec<String> {
    let file = match component {
        "apiserver" => "kube-apiserver",
        "controllermanager" => "kube-controller-manager",
        "scheduler" => "kube-scheduler",
        "etcd" => "etcd",
        _ => return Vec::new(),
    };
    vec![
        format!("/etc/kubernetes/manifests/{file}.yaml"),
        format!("/etc/kubernetes/manifests/{file}.yml"),
        format!("/etc/kubernetes/manifests/{file}.manifest"),
        format!("/var/lib/rancher/rke2/agent/pod-manifests/{file}.yaml"),
    ]
}

fn own(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Cluster-admin kubeconfigs written by installers.
pub fn admin_kubeconfigs() -> Vec<String> {
    own(&[
        "/etc/kubernetes/admin.conf",
        "/etc/kubernetes/super-admin.conf",
        "/var/lib/rancher/rke2/server/cred/admin.kubeconfig",
        "/var/lib/rancher/k3s/server/cred/admin.kubeconfig",
    ])
}

/// Kubeconfigs of the scheduler and the controller manager, when their flags do not name one.
pub fn component_kubeconfigs(component: &str) -> Vec<String> {
    match component {
        "scheduler" => own(&[
            "/etc/kubernetes/scheduler.conf",
            "/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig",
            "/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig",
        ]),
        "controllermanager" => own(&[
            "/etc/kubernetes/controller-manager.conf",
            "/var/lib/rancher/rke2/server/cred/controller.kubeconfig",
            "/var/lib/rancher/k3s/server/cred/controller.kubeconfig",
        ]),
        _ => Vec::new(),
    }
}

/// PKI directories.
pub fn pki_dirs() -> Vec<String> {
    own(&[
        "/etc/kubernetes/pki",
        "/var/lib/rancher/rke2/server/tls",
        "/var/lib/rancher/k3s/server/tls",
    ])
}

/// etcd data directories, when etcd's --data-dir is not known.
pub fn etcd_data_dirs() -> Vec<String> {
    own(&[
        "/var/lib/etcd",
        "/var/lib/etcd/default.etcd",
        "/var/lib/rancher/rke2/server/db/etcd",
        "/var/lib/rancher/k3s/server/db/etcd",
    ])
}

/// Kubelet config files, when no running kubelet names one.
pub fn kubelet_configs() -> Vec<String> {
    own(&[
        "/var/lib/kubelet/config.yaml",
        "/var/lib/kubelet/config.yml",
        "/etc/kubernetes/kubelet-config.yaml",
        "/etc/kubernetes/kubelet/kubelet-config.json",
        "/home/kubernetes/kubelet-config.yaml",
    ])
}

/// Kubelet kubeconfigs.
pub fn kubelet_kubeconfigs() -> Vec<String> {
    own(&[
        "/etc/kubernetes/kubelet.conf",
        "/var/lib/kubelet/kubeconfig",
        "/etc/kubernetes/kubelet-kubeconfig",
        "/var/lib/rancher/rke2/agent/kubelet.kubeconfig",
        "/var/lib/rancher/k3s/agent/kubelet.kubeconfig",
    ])
}

/// Client CA files the kubelet may use.
pub fn kubelet_cas() -> Vec<String> {
    own(&[
        "/etc/kubernetes/pki/ca.crt",
        "/var/lib/rancher/rke2/agent/client-ca.crt",
        "/var/lib/rancher/k3s/agent/client-ca.crt",
        "/etc/kubernetes/certs/ca.crt",
    ])
}

/// kube-proxy kubeconfigs.
pub fn proxy_kubeconfigs() -> Vec<String> {
    own(&[
        "/etc/kubernetes/proxy.conf",
        "/var/lib/kube-proxy/kubeconfig.conf",
        "/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig",
        "/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig",
    ])
}

/// CNI configuration and state directories.
pub fn cni_dirs(conf_dir: Option<&str>) -> Vec<String> {
    let mut v = vec![conf_dir.unwrap_or("/etc/cni/net.d").to_string()];
    v.push("/var/lib/cni/networks".into());
    v
}

/// k3s configuration file and the key that carries each component's extra args.
pub const K3S_CONFIG: &str = "/etc/rancher/k3s/config.yaml";
/// RKE2's configuration file (its `*-arg` keys are k3s's).
pub const RKE2_CONFIG: &str = "/etc/rancher/rke2/config.yaml";
/// (component, k3s config key / flag) pairs.
/// Where k3s writes the encryption configuration it passes to its API server
/// when `secrets-encryption` is on.
pub const K3S_ENCRYPTION_CONFIG: &str = "/var/lib/rancher/k3s/server/cred/encryption-config.json";

/// Where k3s keeps its embedded etcd (present when the server runs etcd).
pub const K3S_ETCD_DIR: &str = "/var/lib/rancher/k3s/server/db/etcd";
/// The config file k3s writes for its embedded etcd.
pub const K3S_ETCD_CONFIG: &str = "/var/lib/rancher/k3s/server/db/etcd/config";
/// The kubelet drop-in directory k3s writes its kubelet defaults to.
pub const K3S_KUBELET_DROP_INS: &str = "/var/lib/rancher/k3s/agent/etc/kubelet.conf.d";

pub const K3S_ARG_KEYS: &[(&str, &str)] = &[
    ("apiserver", "kube-apiserver-arg"),
    ("controllermanager", "kube-controller-manager-arg"),
    ("scheduler", "kube-scheduler-arg"),
    ("kubelet", "kubelet-arg"),
    ("proxy", "kube-proxy-arg"),
    ("etcd", "etcd-arg"),
];
