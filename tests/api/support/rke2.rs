//! RKE2 nodes as RKE2 lays them out when hardened (profile: cis): control plane
//! and etcd as static pods under agent/pod-manifests, the kubelet started by
//! rke2 with `--config-dir` and no `--config`, etcd reading its own config file,
//! certificates under server/tls. Arguments and file modes follow the RKE2 CIS
//! self-assessment guide's audit output for a hardened server.

use super::hostroot::{HostRoot, ETCD_UID};

const MANIFESTS: &str = "/var/lib/rancher/rke2/agent/pod-manifests";
const TLS: &str = "/var/lib/rancher/rke2/server/tls";
const IMAGE: &str = "index.docker.io/rancher/hardened-kubernetes:v1.32.5-rke2r1-build20250515";

/// kube-apiserver on a hardened RKE2 server.
pub const APISERVER: &[&str] = &[
    "kube-apiserver",
    "--admission-control-config-file=/etc/rancher/rke2/rke2-pss.yaml",
    "--allow-privileged=true",
    "--anonymous-auth=false",
    "--api-audiences=https://kubernetes.default.svc.cluster.local,rke2",
    "--audit-log-maxage=30",
    "--audit-log-maxbackup=10",
    "--audit-log-maxsize=100",
    "--audit-log-path=/var/lib/rancher/rke2/server/logs/audit.log",
    "--audit-policy-file=/etc/rancher/rke2/audit-policy.yaml",
    "--authorization-mode=Node,RBAC",
    "--bind-address=0.0.0.0",
    "--cert-dir=/var/lib/rancher/rke2/server/tls/temporary-certs",
    "--client-ca-file=/var/lib/rancher/rke2/server/tls/client-ca.crt",
    "--egress-selector-config-file=/var/lib/rancher/rke2/server/etc/egress-selector-config.yaml",
    "--enable-admission-plugins=NodeRestriction",
    "--enable-aggregator-routing=true",
    "--enable-bootstrap-token-auth=true",
    "--encryption-provider-config=/var/lib/rancher/rke2/server/cred/encryption-config.json",
    "--encryption-provider-config-automatic-reload=true",
    "--etcd-cafile=/var/lib/rancher/rke2/server/tls/etcd/server-ca.crt",
    "--etcd-certfile=/var/lib/rancher/rke2/server/tls/etcd/client.crt",
    "--etcd-keyfile=/var/lib/rancher/rke2/server/tls/etcd/client.key",
    "--etcd-servers=https://127.0.0.1:2379",
    "--kubelet-certificate-authority=/var/lib/rancher/rke2/server/tls/server-ca.crt",
    "--kubelet-client-certificate=/var/lib/rancher/rke2/server/tls/client-kube-apiserver.crt",
    "--kubelet-client-key=/var/lib/rancher/rke2/server/tls/client-kube-apiserver.key",
    "--profiling=false",
    "--secure-port=6443",
    "--service-account-extend-token-expiration=false",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    "--service-account-key-file=/var/lib/rancher/rke2/server/tls/service.key",
    "--service-account-lookup=true",
    "--service-account-signing-key-file=/var/lib/rancher/rke2/server/tls/service.current.key",
    "--service-cluster-ip-range=10.43.0.0/16",
    "--storage-backend=etcd3",
    "--tls-cert-file=/var/lib/rancher/rke2/server/tls/serving-kube-apiserver.crt",
    "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "--tls-private-key-file=/var/lib/rancher/rke2/server/tls/serving-kube-apiserver.key",
];

/// kube-controller-manager on an RKE2 server.
pub const CONTROLLER_MANAGER: &[&str] = &[
    "kube-controller-manager",
    "--allocate-node-cidrs=true",
    "--authentication-kubeconfig=/var/lib/rancher/rke2/server/cred/controller.kubeconfig",
    "--authorization-kubeconfig=/var/lib/rancher/rke2/server/cred/controller.kubeconfig",
    "--bind-address=127.0.0.1",
    "--cluster-cidr=10.42.0.0/16",
    "--controllers=*,tokencleaner,-service,-route,-cloud-node-lifecycle",
    "--kubeconfig=/var/lib/rancher/rke2/server/cred/controller.kubeconfig",
    "--profiling=false",
    "--root-ca-file=/var/lib/rancher/rke2/server/tls/server-ca.crt",
    "--secure-port=10257",
    "--service-account-private-key-file=/var/lib/rancher/rke2/server/tls/service.current.key",
    "--service-cluster-ip-range=10.43.0.0/16",
    "--terminated-pod-gc-threshold=1000",
    "--use-service-account-credentials=true",
];

/// kube-scheduler on an RKE2 server.
pub const SCHEDULER: &[&str] = &[
    "kube-scheduler",
    "--authentication-kubeconfig=/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig",
    "--authorization-kubeconfig=/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig",
    "--bind-address=127.0.0.1",
    "--kubeconfig=/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig",
    "--profiling=false",
    "--secure-port=10259",
];

/// etcd as RKE2 runs it: every setting in its config file.
pub const ETCD: &[&str] = &[
    "etcd",
    "--config-file=/var/lib/rancher/rke2/server/db/etcd/config",
];

/// The config file RKE2 writes for etcd.
pub const ETCD_CONFIG: &str = "name: rke2-server-1-0b7a2c1e
data-dir: /var/lib/rancher/rke2/server/db/etcd
listen-client-urls: https://127.0.0.1:2379,https://10.0.0.10:2379
advertise-client-urls: https://10.0.0.10:2379
client-transport-security:
  cert-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.crt
  key-file: /var/lib/rancher/rke2/server/tls/etcd/server-client.key
  client-cert-auth: true
  trusted-ca-file: /var/lib/rancher/rke2/server/tls/etcd/server-ca.crt
peer-transport-security:
  cert-file: /var/lib/rancher/rke2/server/tls/etcd/peer-server-client.crt
  key-file: /var/lib/rancher/rke2/server/tls/etcd/peer-server-client.key
  client-cert-auth: true
  trusted-ca-file: /var/lib/rancher/rke2/server/tls/etcd/peer-ca.crt
snapshot-count: 10000
";

/// The kubelet as rke2 starts it: drop-ins, no `--config`.
pub const KUBELET: &[&str] = &[
    "kubelet",
    "--volume-plugin-dir=/var/lib/kubelet/volumeplugins",
    "--file-check-frequency=5s",
    "--sync-frequency=30s",
    "--config-dir=/var/lib/rancher/rke2/agent/etc/kubelet.conf.d",
    "--containerd=/run/k3s/containerd/containerd.sock",
    "--hostname-override=rke2-node",
    "--kubeconfig=/var/lib/rancher/rke2/agent/kubelet.kubeconfig",
    "--node-ip=10.0.0.10",
    "--node-labels=",
];

/// The defaults drop-in rke2 writes for its kubelet.
pub const KUBELET_DEFAULTS: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 2m0s
    enabled: true
  x509:
    clientCAFile: /var/lib/rancher/rke2/agent/client-ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.43.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: unix:///run/k3s/containerd/containerd.sock
failSwapOn: false
healthzBindAddress: 127.0.0.1
protectKernelDefaults: true
readOnlyPort: 0
staticPodPath: /var/lib/rancher/rke2/agent/pod-manifests
tlsCertFile: /var/lib/rancher/rke2/agent/serving-kubelet.crt
tlsPrivateKeyFile: /var/lib/rancher/rke2/agent/serving-kubelet.key
";

/// kube-proxy as an RKE2 static pod.
pub const PROXY: &[&str] = &[
    "kube-proxy",
    "--cluster-cidr=10.42.0.0/16",
    "--conntrack-max-per-core=0",
    "--conntrack-tcp-timeout-close-wait=0s",
    "--conntrack-tcp-timeout-established=0s",
    "--healthz-bind-address=127.0.0.1",
    "--hostname-override=rke2-node",
    "--kubeconfig=/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig",
    "--proxy-mode=iptables",
];

/// An RKE2 agent (worker): kubelet and kube-proxy.
pub fn agent(h: &HostRoot) {
    let a = "/var/lib/rancher/rke2/agent";
    h.dir(MANIFESTS, 0o700)
        .file(
            "/etc/rancher/rke2/config.yaml",
            "server: https://10.0.0.10:9345\nprofile: cis\n",
            0o600,
        )
        .file(
            &format!("{a}/etc/kubelet.conf.d/00-rke2-defaults.conf"),
            KUBELET_DEFAULTS,
            0o600,
        )
        .file(
            &format!("{a}/kubelet.kubeconfig"),
            "apiVersion: v1\nkind: Config\n",
            0o600,
        )
        .file(
            &format!("{a}/kubeproxy.kubeconfig"),
            "apiVersion: v1\nkind: Config\n",
            0o600,
        )
        .file(&format!("{a}/client-ca.crt"), "PEM", 0o600)
        .file(&format!("{a}/serving-kubelet.crt"), "PEM", 0o644)
        .file(&format!("{a}/serving-kubelet.key"), "PEM", 0o600)
        .file("/etc/cni/net.d/10-canal.conflist", "{}", 0o600)
        .file("/etc/cni/net.d/calico-kubeconfig", "kind: Config\n", 0o600)
        .manifest(
            &format!("{MANIFESTS}/kube-proxy.yaml"),
            "kube-proxy",
            IMAGE,
            PROXY,
        )
        .process(2001, KUBELET)
        .process(2002, PROXY);
}

const SERVER_TLS: &[(&str, u32)] = &[
    ("client-ca.crt", 0o644),
    ("client-ca.key", 0o600),
    ("server-ca.crt", 0o644),
    ("server-ca.key", 0o600),
    ("service.key", 0o600),
    ("service.current.key", 0o600),
    ("client-kube-apiserver.crt", 0o644),
    ("client-kube-apiserver.key", 0o600),
    ("serving-kube-apiserver.crt", 0o644),
    ("serving-kube-apiserver.key", 0o600),
    ("etcd/server-ca.crt", 0o644),
    ("etcd/server-ca.key", 0o600),
    ("etcd/peer-ca.crt", 0o644),
    ("etcd/peer-ca.key", 0o600),
    ("etcd/server-client.crt", 0o644),
    ("etcd/server-client.key", 0o600),
];

/// A hardened RKE2 server: control plane, etcd (as the etcd user) and an agent.
pub fn server(h: &HostRoot) {
    agent(h);
    let cred = "/var/lib/rancher/rke2/server/cred";
    h.file(
        "/etc/rancher/rke2/config.yaml",
        "profile: cis\nsecrets-encryption: true\n",
        0o600,
    )
    .file("/etc/rancher/rke2/audit-policy.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n", 0o600)
    .file("/etc/rancher/rke2/rke2-pss.yaml", "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n", 0o600)
    .file(&format!("{cred}/encryption-config.json"), r#"{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"aescbckey","secret":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="}]}},{"identity":{}}]}]}"#, 0o600)
    .file(&format!("{cred}/admin.kubeconfig"), "kind: Config\n", 0o600)
    .file(&format!("{cred}/scheduler.kubeconfig"), "kind: Config\n", 0o600)
    .file(&format!("{cred}/controller.kubeconfig"), "kind: Config\n", 0o600)
    .manifest(&format!("{MANIFESTS}/kube-apiserver.yaml"), "kube-apiserver", IMAGE, APISERVER)
    .manifest(&format!("{MANIFESTS}/kube-controller-manager.yaml"), "kube-controller-manager", IMAGE, CONTROLLER_MANAGER)
    .manifest(&format!("{MANIFESTS}/kube-scheduler.yaml"), "kube-scheduler", IMAGE, SCHEDULER)
    .manifest(&format!("{MANIFESTS}/etcd.yaml"), "etcd", "index.docker.io/rancher/hardened-etcd:v3.5.21-k3s1-build20250411", ETCD)
    .dir("/var/lib/rancher/rke2/server/db/etcd", 0o700)
    .file("/var/lib/rancher/rke2/server/db/etcd/config", ETCD_CONFIG, 0o600)
    .chown("/var/lib/rancher/rke2/server/db/etcd", ETCD_UID, ETCD_UID)
    .dir(TLS, 0o755)
    .dir(&format!("{TLS}/etcd"), 0o755);
    for (f, mode) in SERVER_TLS {
        h.file(&format!("{TLS}/{f}"), &format!("PEM {f}"), *mode);
    }
    h.process(1001, APISERVER)
        .process(1002, CONTROLLER_MANAGER)
        .process(1003, SCHEDULER)
        .process(1004, ETCD);
}
