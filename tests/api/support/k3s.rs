//! k3s nodes as k3s lays them out when hardened per its CIS hardening guide:
//! one `k3s server`/`k3s agent` process embedding every component, settings in
//! /etc/rancher/k3s/config.yaml and config.yaml.d/, embedded etcd with its own
//! config file, the kubelet defaults drop-in, certificates under server/tls.

use super::hostroot::HostRoot;

const TLS: &str = "/var/lib/rancher/k3s/server/tls";

/// The hardening guide's server configuration (secrets encryption, audit
/// logging, admission control); the kubelet settings come in a drop-in file.
pub const SERVER_CONFIG: &str = r#"cluster-init: true
protect-kernel-defaults: true
secrets-encryption: true
kube-apiserver-arg:
  - "enable-admission-plugins=NodeRestriction,EventRateLimit"
  - "admission-control-config-file=/var/lib/rancher/k3s/server/psa.yaml"
  - "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log"
  - "audit-policy-file=/var/lib/rancher/k3s/server/audit.yaml"
  - "audit-log-maxage=30"
  - "audit-log-maxbackup=10"
  - "audit-log-maxsize=100"
  - "service-account-extend-token-expiration=false"
  - "tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
kube-controller-manager-arg:
  - "terminated-pod-gc-threshold=10"
"#;

/// A config.yaml.d drop-in adding kubelet arguments (`kubelet-arg+` appends).
pub const KUBELET_CONFIG_D: &str = r#"kubelet-arg+:
  - "streaming-connection-idle-timeout=5m"
  - "tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
"#;

/// The kubelet defaults drop-in k3s writes.
pub const KUBELET_DEFAULTS: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 2m0s
    enabled: true
  x509:
    clientCAFile: /var/lib/rancher/k3s/agent/client-ca.crt
authorization:
  mode: Webhook
cgroupDriver: cgroupfs
clusterDNS:
- 10.43.0.10
clusterDomain: cluster.local
failSwapOn: false
healthzBindAddress: 127.0.0.1
staticPodPath: /var/lib/rancher/k3s/agent/pod-manifests
tlsCertFile: /var/lib/rancher/k3s/agent/serving-kubelet.crt
tlsPrivateKeyFile: /var/lib/rancher/k3s/agent/serving-kubelet.key
";

/// The config file k3s writes for its embedded etcd.
pub const ETCD_CONFIG: &str = "name: k3s-server-1-5d1f0c2a
data-dir: /var/lib/rancher/k3s/server/db/etcd
listen-client-urls: https://127.0.0.1:2379,https://10.0.0.30:2379
client-transport-security:
  cert-file: /var/lib/rancher/k3s/server/tls/etcd/server-client.crt
  key-file: /var/lib/rancher/k3s/server/tls/etcd/server-client.key
  client-cert-auth: true
  trusted-ca-file: /var/lib/rancher/k3s/server/tls/etcd/server-ca.crt
peer-transport-security:
  cert-file: /var/lib/rancher/k3s/server/tls/etcd/peer-server-client.crt
  key-file: /var/lib/rancher/k3s/server/tls/etcd/peer-server-client.key
  client-cert-auth: true
  trusted-ca-file: /var/lib/rancher/k3s/server/tls/etcd/peer-ca.crt
";

/// A k3s agent: the `k3s agent` process, its kubelet drop-in and kubeconfigs.
pub fn agent(h: &HostRoot) {
    agent_files(h);
    h.file(
        "/etc/rancher/k3s/config.yaml",
        "server: https://10.0.0.30:6443\n",
        0o600,
    )
    .process(3001, &["/usr/local/bin/k3s", "agent"]);
}

fn agent_files(h: &HostRoot) {
    let a = "/var/lib/rancher/k3s/agent";
    h.file(
        &format!("{a}/etc/kubelet.conf.d/00-k3s-defaults.conf"),
        KUBELET_DEFAULTS,
        0o600,
    )
    .file(
        "/etc/rancher/k3s/config.yaml.d/10-kubelet.yaml",
        KUBELET_CONFIG_D,
        0o600,
    )
    .file(&format!("{a}/kubelet.kubeconfig"), "kind: Config\n", 0o600)
    .file(
        &format!("{a}/kubeproxy.kubeconfig"),
        "kind: Config\n",
        0o600,
    )
    .file(&format!("{a}/client-ca.crt"), "PEM", 0o600)
    .file(&format!("{a}/serving-kubelet.crt"), "PEM", 0o644)
    .file(&format!("{a}/serving-kubelet.key"), "PEM", 0o600)
    .file("/var/lib/cni/networks/cbr0/10.42.0.5", "abc", 0o600);
}

const SERVER_TLS: &[(&str, u32)] = &[
    ("client-ca.crt", 0o644),
    ("client-ca.key", 0o600),
    ("server-ca.crt", 0o644),
    ("server-ca.key", 0o600),
    ("service.key", 0o600),
    ("client-kube-apiserver.crt", 0o644),
    ("client-kube-apiserver.key", 0o600),
    ("serving-kube-apiserver.crt", 0o644),
    ("serving-kube-apiserver.key", 0o600),
    ("etcd/server-ca.crt", 0o644),
    ("etcd/peer-ca.crt", 0o644),
    ("etcd/server-client.crt", 0o644),
    ("etcd/server-client.key", 0o600),
];

/// A hardened k3s server with embedded etcd.
pub fn server(h: &HostRoot) {
    agent_files(h);
    let s = "/var/lib/rancher/k3s/server";
    h.file("/etc/rancher/k3s/config.yaml", SERVER_CONFIG, 0o600)
        .file(&format!("{s}/audit.yaml"), "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n", 0o600)
        .file(&format!("{s}/psa.yaml"), "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: EventRateLimit\n  configuration:\n    apiVersion: eventratelimit.admission.k8s.io/v1alpha1\n    kind: Configuration\n    limits:\n    - type: Server\n      qps: 5000\n      burst: 20000\n", 0o600)
        .file(&format!("{s}/cred/encryption-config.json"), r#"{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"aescbckey","secret":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="}]}},{"identity":{}}]}]}"#, 0o600)
        .file(&format!("{s}/cred/admin.kubeconfig"), "kind: Config\n", 0o600)
        .file(&format!("{s}/cred/scheduler.kubeconfig"), "kind: Config\n", 0o600)
        .file(&format!("{s}/cred/controller.kubeconfig"), "kind: Config\n", 0o600)
        .dir(&format!("{s}/db/etcd"), 0o700)
        .file(&format!("{s}/db/etcd/config"), ETCD_CONFIG, 0o600)
        .dir(TLS, 0o755)
        .dir(&format!("{TLS}/etcd"), 0o755);
    for (f, mode) in SERVER_TLS {
        h.file(&format!("{TLS}/{f}"), &format!("PEM {f}"), *mode);
    }
    h.process(3000, &["/usr/local/bin/k3s", "server"]);
}
