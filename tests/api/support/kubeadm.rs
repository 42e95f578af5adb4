//! Realistic node shapes: what kubeadm leaves on a control plane and a worker.

use super::hostroot::HostRoot;

/// kube-apiserver as kubeadm 1.26 writes it (no hardening).
pub const APISERVER: &[&str] = &[
    "kube-apiserver",
    "--advertise-address=10.0.0.10",
    "--allow-privileged=true",
    "--authorization-mode=Node,RBAC",
    "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    "--enable-admission-plugins=NodeRestriction",
    "--enable-bootstrap-token-auth=true",
    "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
    "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
    "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
    "--etcd-servers=https://127.0.0.1:2379",
    "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
    "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
    "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
    "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
    "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
    "--requestheader-allowed-names=front-proxy-client",
    "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
    "--secure-port=6443",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
    "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
    "--service-cluster-ip-range=10.96.0.0/12",
    "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
    "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
];

/// kube-controller-manager as kubeadm writes it.
pub const CONTROLLER_MANAGER: &[&str] = &[
    "kube-controller-manager",
    "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
    "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
    "--bind-address=127.0.0.1",
    "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    "--cluster-name=kubernetes",
    "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
    "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
    "--controllers=*,bootstrapsigner,tokencleaner",
    "--kubeconfig=/etc/kubernetes/controller-manager.conf",
    "--leader-elect=true",
    "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
    "--root-ca-file=/etc/kubernetes/pki/ca.crt",
    "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
    "--use-service-account-credentials=true",
];

/// kube-scheduler as kubeadm writes it.
pub const SCHEDULER: &[&str] = &[
    "kube-scheduler",
    "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
    "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
    "--bind-address=127.0.0.1",
    "--kubeconfig=/etc/kubernetes/scheduler.conf",
    "--leader-elect=true",
];

/// etcd as kubeadm writes it.
pub const ETCD: &[&str] = &[
    "etcd",
    "--advertise-client-urls=https://10.0.0.10:2379",
    "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
    "--client-cert-auth=true",
    "--data-dir=/var/lib/etcd",
    "--key-file=/etc/kubernetes/pki/etcd/server.key",
    "--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379",
    "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
    "--peer-client-cert-auth=true",
    "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
    "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
    "--snapshot-count=10000",
    "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
];

/// The kubelet command line that kubeadm's systemd drop-in produces.
pub const KUBELET: &[&str] = &[
    "/usr/bin/kubelet",
    "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
    "--kubeconfig=/etc/kubernetes/kubelet.conf",
    "--config=/var/lib/kubelet/config.yaml",
    "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
    "--pod-infra-container-image=registry.k8s.io/pause:3.9",
];

/// KubeletConfiguration as kubeadm writes it.
pub const KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
kind: KubeletConfiguration
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
";

/// kubeadm's kubelet drop-in.
pub const KUBEADM_DROPIN: &str = "[Service]
Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
";

const PKI: &[(&str, u32)] = &[
    ("ca.crt", 0o644),
    ("ca.key", 0o600),
    ("apiserver.crt", 0o644),
    ("apiserver.key", 0o600),
    ("sa.pub", 0o600),
    ("sa.key", 0o600),
    ("etcd/ca.crt", 0o644),
    ("etcd/ca.key", 0o600),
    ("etcd/server.crt", 0o644),
    ("etcd/server.key", 0o600),
];

/// A worker node as kubeadm leaves it: kubelet running, its files in place.
pub fn worker(h: &HostRoot) {
    h.file("/etc/kubernetes/kubelet.conf", "apiVersion: v1\nkind: Config\n", 0o600)
        .file("/etc/kubernetes/pki/ca.crt", "CA", 0o644)
        .file("/var/lib/kubelet/config.yaml", KUBELET_CONFIG, 0o644)
        .file("/lib/systemd/system/kubelet.service", "[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n", 0o644)
        .file("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROPIN, 0o644)
        .file("/var/lib/kubelet/kubeadm-flags.env", "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9\"\n", 0o644)
        .file("/etc/cni/net.d/10-calico.conflist", "{}", 0o644)
        .process(900, KUBELET);
}

/// A kubeadm control plane with stacked etcd, as `kubeadm init` leaves it.
pub fn control_plane(h: &HostRoot) {
    worker(h);
    let m = "/etc/kubernetes/manifests";
    h.dir(m, 0o700)
        .manifest(
            &format!("{m}/kube-apiserver.yaml"),
            "kube-apiserver",
            "registry.k8s.io/kube-apiserver:v1.26.3",
            APISERVER,
        )
        .manifest(
            &format!("{m}/kube-controller-manager.yaml"),
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.26.3",
            CONTROLLER_MANAGER,
        )
        .manifest(
            &format!("{m}/kube-scheduler.yaml"),
            "kube-scheduler",
            "registry.k8s.io/kube-scheduler:v1.26.3",
            SCHEDULER,
        )
        .manifest(
            &format!("{m}/etcd.yaml"),
            "etcd",
            "registry.k8s.io/etcd:3.5.6-0",
            ETCD,
        )
        .file("/etc/kubernetes/admin.conf", "kind: Config\n", 0o600)
        .file("/etc/kubernetes/scheduler.conf", "kind: Config\n", 0o600)
        .file(
            "/etc/kubernetes/controller-manager.conf",
            "kind: Config\n",
            0o600,
        )
        .dir("/var/lib/etcd", 0o700)
        .dir("/etc/kubernetes/pki", 0o755);
    for (f, mode) in PKI {
        // distinct content per file, as real certificates and keys have
        h.file(
            &format!("/etc/kubernetes/pki/{f}"),
            &format!("PEM {f}"),
            *mode,
        );
    }
    h.process(101, APISERVER)
        .process(102, CONTROLLER_MANAGER)
        .process(103, SCHEDULER)
        .process(104, ETCD);
}
