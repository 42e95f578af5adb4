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
