//! Worker nodes of managed clusters, laid out as their node images lay them
//! out (paths per kube-bench's cfg/config.yaml for eks, gke and aks).

use super::hostroot::HostRoot;

/// The EKS optimized Amazon Linux AMI's kubelet config, hardened as the AMI ships it.
pub const EKS_KUBELET_CONFIG: &str = r#"{
  "kind": "KubeletConfiguration",
  "apiVersion": "kubelet.config.k8s.io/v1beta1",
  "address": "0.0.0.0",
  "authentication": {
    "anonymous": {"enabled": false},
    "webhook": {"cacheTTL": "2m0s", "enabled": true},
    "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}
  },
  "authorization": {
    "mode": "Webhook",
    "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"}
  },
  "clusterDomain": "cluster.local",
  "hairpinMode": "hairpin-veth",
  "readOnlyPort": 0,
  "cgroupDriver": "systemd",
  "cgroupRoot": "/",
  "featureGates": {"RotateKubeletServerCertificate": true},
  "protectKernelDefaults": true,
  "serializeImagePulls": false,
  "serverTLSBootstrap": true,
  "clusterDNS": ["172.20.0.10"],
  "maxPods": 29
}
"#;

/// The EKS AMI's kubelet command line.
pub const EKS_KUBELET: &[&str] = &[
    "/usr/bin/kubelet",
    "--config",
    "/etc/kubernetes/kubelet/kubelet-config.json",
    "--kubeconfig",
    "/var/lib/kubelet/kubeconfig",
    "--container-runtime-endpoint",
    "unix:///run/containerd/containerd.sock",
    "--image-credential-provider-config",
    "/etc/eks/image-credential-provider/config.json",
    "--image-credential-provider-bin-dir",
    "/etc/eks/image-credential-provider",
    "--node-ip=10.0.1.23",
    "--pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5",
    "--v=2",
    "--hostname-override=ip-10-0-1-23.ec2.internal",
    "--cloud-provider=external",
];

/// An EKS worker from the EKS optimized AMI: kubelet config JSON and
/// kubeconfig at mode 644, as the AMI writes them.
pub fn eks_worker(h: &HostRoot) {
    h.file("/etc/kubernetes/kubelet/kubelet-config.json", EKS_KUBELET_CONFIG, 0o644)
        .file("/var/lib/kubelet/kubeconfig", "apiVersion: v1\nkind: Config\n", 0o644)
        .file("/etc/kubernetes/pki/ca.crt", "CA", 0o644)
        .file("/etc/eks/image-credential-provider/config.json", "{}", 0o644)
        .file("/etc/systemd/system/kubelet.service", "[Unit]\nDescription=Kubernetes Kubelet\n[Service]\nExecStart=/usr/bin/kubelet $KUBELET_ARGS $KUBELET_EXTRA_ARGS\nRestart=on-failure\n", 0o644)
        .file("/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf", "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=10.0.1.23 --pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5 --v=2 --hostname-override=ip-10-0-1-23.ec2.internal --cloud-provider=external'\n", 0o644)
        .process(1200, EKS_KUBELET);
}

/// A GKE node's kubelet config as COS node images write it (read-only port still open).
pub const GKE_KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/srv/kubernetes/pki/ca-certificates.crt
authorization:
  mode: Webhook
cgroupRoot: /
clusterDNS:
- 10.0.0.10
clusterDomain: cluster.local
featureGates:
  RotateKubeletServerCertificate: true
readOnlyPort: 10255
serverTLSBootstrap: true
staticPodPath: /etc/kubernetes/manifests
";

/// A GKE worker on Container-Optimized OS: kubelet config under /home/kubernetes,
/// kube-proxy as a static pod with its kubeconfig under /var/lib/kube-proxy.
pub fn gke_worker(h: &HostRoot) {
    h.file(
        "/home/kubernetes/kubelet-config.yaml",
        GKE_KUBELET_CONFIG,
        0o644,
    )
    .file(
        "/var/lib/kubelet/kubeconfig",
        "apiVersion: v1\nkind: Config\n",
        0o644,
    )
    .file(
        "/var/lib/kube-proxy/kubeconfig",
        "apiVersion: v1\nkind: Config\n",
        0o644,
    )
    .file("/etc/srv/kubernetes/pki/ca-certificates.crt", "CA", 0o644)
    .file(
        "/etc/kubernetes/manifests/kube-proxy.manifest",
        "kind: Pod\n",
        0o644,
    )
    .process(
        700,
        &[
            "/home/kubernetes/bin/kubelet",
            "--v=2",
            "--cloud-provider=external",
            "--cert-dir=/var/lib/kubelet/pki/",
            "--kubeconfig=/var/lib/kubelet/kubeconfig",
            "--bootstrap-kubeconfig=/var/lib/kubelet/bootstrap-kubeconfig",
            "--config=/home/kubernetes/kubelet-config.yaml",
            "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
        ],
    )
    .process(
        710,
        &[
            "kube-proxy",
            "--kubeconfig=/var/lib/kube-proxy/kubeconfig",
            "--cluster-cidr=10.8.0.0/14",
            "--oom-score-adj=-998",
            "--v=2",
        ],
    );
}

/// An AKS node's kubelet config (/etc/default/kubeletconfig.json), as AKS writes it.
pub const AKS_KUBELET_CONFIG: &str = r#"{
  "kind": "KubeletConfiguration",
  "apiVersion": "kubelet.config.k8s.io/v1beta1",
  "staticPodPath": "/etc/kubernetes/manifests",
  "address": "0.0.0.0",
  "readOnlyPort": 0,
  "tlsCertFile": "/etc/kubernetes/certs/kubeletserver.crt",
  "tlsPrivateKeyFile": "/etc/kubernetes/certs/kubeletserver.key",
  "rotateCertificates": true,
  "authentication": {
    "x509": {"clientCAFile": "/etc/kubernetes/certs/ca.crt"},
    "webhook": {"enabled": true},
    "anonymous": {"enabled": false}
  },
  "authorization": {"mode": "Webhook"},
  "eventRecordQPS": 0,
  "clusterDomain": "cluster.local",
  "clusterDNS": ["10.0.0.10"],
  "streamingConnectionIdleTimeout": "4h",
  "protectKernelDefaults": true,
  "featureGates": {"RotateKubeletServerCertificate": true}
}
"#;

/// An AKS worker (Ubuntu node image): azure.json and the kubelet kubeconfig at 600.
pub fn aks_worker(h: &HostRoot) {
    h.file("/etc/default/kubeletconfig.json", AKS_KUBELET_CONFIG, 0o644)
        .file(
            "/etc/kubernetes/azure.json",
            "{\"cloud\": \"AzurePublicCloud\"}",
            0o600,
        )
        .file(
            "/var/lib/kubelet/kubeconfig",
            "apiVersion: v1\nkind: Config\n",
            0o600,
        )
        .file("/etc/kubernetes/certs/ca.crt", "CA", 0o644)
        .process(
            800,
            &[
                "/usr/local/bin/kubelet",
                "--enable-server",
                "--v=2",
                "--volume-plugin-dir=/etc/kubernetes/volumeplugins",
                "--config=/etc/default/kubeletconfig.json",
                "--kubeconfig",
                "/var/lib/kubelet/kubeconfig",
                "--bootstrap-kubeconfig",
                "/var/lib/kubelet/bootstrap-kubeconfig",
                "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
            ],
        );
}
