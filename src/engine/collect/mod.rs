//! The collector: reads one node (through a host root and a proc directory)
//! and records its facts. It runs no commands and never judges anything.

mod configs;
mod content;
mod digest;
mod drop_ins;
mod host;
mod k3s;
mod locate;
mod paths;
mod procs;
mod rancher_config;
mod systemd;
#[cfg(test)]
mod test_host;

pub use content::{parse_content, read_audit_policy, read_encryption};
pub use host::parse_structured;
pub use procs::identify;
pub use systemd::split_words;

use crate::engine::benchmark::Component;
use crate::engine::facts::*;
use configs::{manifest_args, read_config};
use host::Host;
use k3s::k3s_components;
use locate::{first_existing, named_or_guessed, Named};
use rancher_config::{rke2_origins, RancherConfig};
use std::collections::HashMap;
use std::path::PathBuf;

/// Where to read the node from.
#[derive(Debug, Clone)]
pub struct Options {
    /// The node's root filesystem (`/`, or `/host` in a pod).
    pub host_root: PathBuf,
    /// The node's /proc (the host's, with hostPID).
    pub proc_root: PathBuf,
    /// The node's name; defaults to the host name.
    pub node_name: Option<String>,
}

/// Collects the facts of one node.
pub fn collect(opts: &Options) -> NodeFacts {
    let host = Host::new(&opts.host_root, &opts.proc_root);
    let scan = procs::scan(&opts.proc_root);
    let mut facts = NodeFacts {
        schema_version: SCHEMA_VERSION,
        node: opts.node_name.clone().unwrap_or_else(|| hostname(&host)),
        collected_at: Some(chrono::Utc::now().to_rfc3339()),
        ..Default::default()
    };
    facts.errors.extend(scan.error.clone());
    let mut comps: HashMap<Component, ComponentFacts> = HashMap::new();
    for c in Component::NODE_COMPONENTS {
        let mut cf = ComponentFacts {
            process: scan.components.get(&c).cloned(),
            ..Default::default()
        };
        let candidates = paths::manifests(c.key());
        if !candidates.is_empty() {
            cf.manifest = candidates
                .iter()
                .find(|p| host.exists(p))
                .map(|p| manifest_args(&host, p));
            facts
                .files
                .insert(format!("{}-manifest", c.key()), host.files(&candidates));
        }
        comps.insert(c, cf);
    }
    let kubelet_unit = systemd::read_unit(&host, "kubelet.service");
    facts.files.insert(
        "kubelet-service".into(),
        unit_files(&host, kubelet_unit.as_ref()),
    );
    if let Some(k) = comps.get_mut(&Component::Kubelet) {
        k.unit = kubelet_unit;
    }
    if let Some(k3s) = &scan.k3s {
        facts.distribution = "k3s".into();
        k3s_components(&host, k3s, &mut comps);
    } else if let Some(config) = RancherConfig::read(&host, paths::RKE2_CONFIG) {
        rke2_origins(&config, &mut comps);
    }
    locate::kubelet(&host, &mut comps, &mut facts.files);
    // AKS's cloud-provider configuration, which the AKS benchmark checks (3.1.3, 3.1.4)
    facts.files.insert(
        "azure-json".into(),
        host.files(&["/etc/kubernetes/azure.json".to_string()]),
    );

    // kube-proxy usually runs as a DaemonSet: its files may only exist inside its container.
    let named = Named { comps: &comps };
    let proxy_config = named.value(Component::Proxy, "--config");
    let proxy_pid = named.pid(Component::Proxy);
    let proxy_kc = named.arg(Component::Proxy, "--kubeconfig");
    facts.files.insert(
        "proxy-kubeconfig".into(),
        named_or_guessed(&host, proxy_pid, proxy_kc, paths::proxy_kubeconfigs()),
    );
    for c in [Component::Scheduler, Component::Controllermanager] {
        let kc = named.arg(c, "--kubeconfig");
        facts.files.insert(
            format!("{}-kubeconfig", c.key()),
            named_or_guessed(
                &host,
                named.pid(c),
                kc,
                paths::component_kubeconfigs(c.key()),
            ),
        );
    }
    let etcd_pid = named.pid(Component::Etcd);
    let etcd_config = named.arg(Component::Etcd, "--config-file");
    let etcd_flag_dir = named.arg(Component::Etcd, "--data-dir");
    if let Some(path) = proxy_config {
        let cfg = read_config(&host, proxy_pid, &path, None);
        comps.entry(Component::Proxy).or_default().config = Some(cfg);
    }
    // etcd run with --config-file (RKE2, k3s) takes every setting from that file
    if let Some((path, _)) = &etcd_config {
        let cfg = read_config(&host, etcd_pid, path, None);
        comps.entry(Component::Etcd).or_default().config = Some(cfg);
    }
    let etcd = comps.get(&Component::Etcd);
    let in_etcd_config = etcd.and_then(|e| {
        let cfg = e.config.as_ref()?;
        let dir = cfg.content.as_ref()?.get("data-dir")?.as_str()?;
        Some((dir.to_string(), format!("etcd data-dir in {}", cfg.path)))
    });
    let in_env = etcd.and_then(|e| {
        let dir = e.process.as_ref()?.env.get("ETCD_DATA_DIR")?;
        Some((dir.clone(), "etcd environment ETCD_DATA_DIR".to_string()))
    });
    let data_dir = match in_etcd_config.or(etcd_flag_dir).or(in_env) {
        Some((path, by)) => host.named(None, &path, by),
        None => first_existing(&host, paths::etcd_data_dirs()),
    };
    facts.files.insert("etcd-data-dir".into(), data_dir);
    facts.files.insert(
        "admin-kubeconfig".into(),
        host.files(&paths::admin_kubeconfigs()),
    );
    facts
        .files
        .insert("pki".into(), host.tree(&paths::pki_dirs(), true));
    let named = Named { comps: &comps };
    let mut cni = host.tree(
        &paths::cni_dirs(named.value(Component::Kubelet, "--cni-conf-dir").as_deref()),
        false,
    );
    cni.entries.retain(|e| e.kind == "file");
    facts.files.insert("cni-files".into(), cni);

    // files whose content the benchmark asks about, read as the API server reads them
    let apiserver_pid = named.pid(Component::Apiserver);
    if let Some(path) = named.value(Component::Apiserver, "--encryption-provider-config") {
        facts.encryption = Some(content::encryption(&host, apiserver_pid, &path));
    }
    if let Some(path) = named.value(Component::Apiserver, "--audit-policy-file") {
        facts.audit_policy = Some(content::audit_policy(&host, apiserver_pid, &path));
    }
    if let Some(path) = named.value(Component::Apiserver, "--admission-control-config-file") {
        facts.admission_config = Some(content::admission_config(&host, apiserver_pid, &path));
    }
    facts.digests = digest::compared_files(&host, &comps);
    facts.kubernetes_version = comps
        .get(&Component::Apiserver)
        .and_then(|a| {
            a.manifest
                .as_ref()?
                .image
                .as_deref()?
                .rsplit_once(':')
                .map(|(_, tag)| tag.to_string())
        })
        .filter(|tag| crate::engine::benchmark::load::parse_kube_version(tag).is_some());
    if facts.distribution.is_empty() {
        facts.distribution = distribution(&host);
    }
    facts.components = comps
        .into_iter()
        .filter(|(_, f)| f.present() || f.config.is_some())
        .map(|(c, f)| (c.key().to_string(), f))
        .collect();
    facts
}

fn unit_files(host: &Host, unit: Option<&UnitFacts>) -> FileFacts {
    let tried = vec![
        "/etc/systemd/system/kubelet.service(.d)".into(),
        "/lib/systemd/system/kubelet.service(.d)".into(),
        "/usr/lib/systemd/system/kubelet.service(.d)".into(),
    ];
    match unit {
        Some(u) => FileFacts {
            entries: u.paths.iter().filter_map(|p| host.entry(p)).collect(),
            tried,
            // systemd read these files to start the kubelet
            configured_by: Some("systemd (the kubelet's unit)".into()),
            error: None,
        },
        None => FileFacts {
            tried,
            ..Default::default()
        },
    }
}

fn distribution(host: &Host) -> String {
    if host.exists("/var/lib/rancher/rke2") || host.exists("/etc/rancher/rke2") {
        "rke2"
    } else if host.exists("/var/lib/rancher/k3s") || host.exists("/etc/rancher/k3s") {
        "k3s"
    } else if host.exists("/etc/eks") {
        // the EKS node images keep their bootstrap and credential helpers here
        "eks"
    } else if host.exists("/home/kubernetes/kubelet-config.yaml") {
        // GKE's node images (COS and Ubuntu) keep the kubelet config here
        "gke"
    } else if host.exists("/etc/kubernetes/azure.json") {
        // AKS writes its cloud-provider config on every node
        "aks"
    } else if host.exists("/etc/kubernetes/manifests")
        || host.exists("/etc/kubernetes/kubelet.conf")
    {
        "kubeadm"
    } else {
        "unknown"
    }
    .into()
}

fn hostname(host: &Host) -> String {
    host.read("/etc/hostname")
        .ok()
        .or_else(|| std::fs::read_to_string(host.proc_root().join("sys/kernel/hostname")).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
