//! Discovery: the provider, each node's roles and OS, from the version string
//! and node labels. Pure functions over API objects, tested on realistic ones.

use k8s_openapi::api::core::v1::Node;

/// Who runs the cluster: the engine's provider, which also names whom a benchmark is for.
pub use crate::engine::benchmark::Provider;

fn label<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    n.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

fn has_label_prefix(n: &Node, prefix: &str) -> bool {
    n.metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.keys().any(|k| k.starts_with(prefix)))
}

/// The provider from the API server's gitVersion and the nodes' labels and provider IDs.
pub fn provider(git_version: &str, nodes: &[Node]) -> Provider {
    let v = git_version.to_ascii_lowercase();
    if v.contains("-eks-") || v.contains("+eks") {
        return Provider::Eks;
    }
    if v.contains("-gke.") || v.contains("+gke") {
        return Provider::Gke;
    }
    if v.contains("+rke2") {
        return Provider::Rke2;
    }
    if v.contains("+k3s") {
        return Provider::K3s;
    }
    for n in nodes {
        let pid = n
            .spec
            .as_ref()
            .and_then(|s| s.provider_id.as_deref())
            .unwrap_or_default();
        if has_label_prefix(n, "eks.amazonaws.com/") {
            return Provider::Eks;
        }
        if has_label_prefix(n, "cloud.google.com/gke")
            || pid.starts_with("gce://") && has_label_prefix(n, "cloud.google.com/")
        {
            return Provider::Gke;
        }
        if has_label_prefix(n, "kubernetes.azure.com/")
            || label(n, "kubernetes.azure.com/cluster").is_some()
        {
            return Provider::Aks;
        }
        if pid.starts_with("rke2://") {
            return Provider::Rke2;
        }
        if pid.starts_with("k3s://") {
            return Provider::K3s;
        }
    }
    Provider::Generic
}

/// A node's roles from the usual labels (control-plane, master, etcd, worker).
pub fn roles(n: &Node) -> Vec<String> {
    let mut roles = Vec::new();
    let is = |k: &str| label(n, k).is_some();
    if is("node-role.kubernetes.io/control-plane")
        || is("node-role.kubernetes.io/master")
        || label(n, "node-role.kubernetes.io/controlplane") == Some("true")
    {
        roles.push("control-plane".to_string());
    }
    if is("node-role.kubernetes.io/etcd") {
        roles.push("etcd".to_string());
    }
    if is("node-role.kubernetes.io/worker") || roles.is_empty() {
        roles.push("worker".to_string());
    }
    roles
}

/// The node's OS: the kubernetes.io/os label, else nodeInfo.operatingSystem.
pub fn os(n: &Node) -> String {
    label(n, "kubernetes.io/os")
        .map(str::to_string)
        .or_else(|| {
            n.status
                .as_ref()?
                .node_info
                .as_ref()
                .map(|i| i.operating_system.clone())
        })
        .unwrap_or_else(|| "linux".into())
        .to_ascii_lowercase()
}

/// "v1.30.4+rke2r1" → "1.30.4".
pub fn clean_version(git_version: &str) -> String {
    git_version
        .trim_start_matches('v')
        .split(['+', '-'])
        .next()
        .unwrap_or_default()
        .to_string()
}
