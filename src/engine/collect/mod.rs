//! The collector: reads one node (through a host root and a proc directory)
//! and records its facts. It runs no commands and never judges anything.

mod configs;
mod content;
mod digest;
mod host;
mod k3s;
mod paths;
mod procs;
mod systemd;

pub use content::{parse_content, read_audit_policy, read_encryption};
pub use host::parse_structured;
pub use procs::identify;
pub use systemd::split_words;

use crate::engine::benchmark::Component;
use crate::engine::eval::settings::parse_args;
use crate::engine::facts::*;
use configs::{manifest_args, read_config};
use host::Host;
use k3s::k3s_components;
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
    }
    let arg =
        |comps: &HashMap<Component, ComponentFacts>, c: Component, flag: &str| -> Option<String> {
            let cf = comps.get(&c)?;
            let argv = cf
                .process
                .as_ref()
                .map(|p| p.cmdline.clone())
                .or_else(|| cf.manifest.as_ref().map(|m| m.args.clone()))
                .or_else(|| cf.unit.as_ref().map(|u| u.args.clone()))?;
            parse_args(&argv).remove(flag)
        };
    let pid = |comps: &HashMap<Component, ComponentFacts>, c: Component| {
        comps
            .get(&c)
            .and_then(|f| f.process.as_ref().map(|p| p.pid))
    };
    let kubelet_known = comps
        .get(&Component::Kubelet)
        .is_some_and(|k| k.process.is_some() || k.unit.is_some());

    // Kubelet config file: the one the kubelet names, or a usual location when the kubelet's arguments are unknown.
    let kubelet_config_path = arg(&comps, Component::Kubelet, "--config").or_else(|| {
        (!kubelet_known)
            .then(|| {
                paths::kubelet_configs()
                    .into_iter()
                    .find(|p| host.exists(p))
            })
            .flatten()
    });
    let config_dir = arg(&comps, Component::Kubelet, "--config-dir");
    if let Some(path) = &kubelet_config_path {
        let cfg = read_config(
            &host,
            pid(&comps, Component::Kubelet),
            path,
            config_dir.as_deref(),
        );
        comps.entry(Component::Kubelet).or_default().config = Some(cfg);
    } else if let Some(dir) = &config_dir {
        let cfg = configs::read_drop_ins(&host, dir);
        comps.entry(Component::Kubelet).or_default().config = Some(cfg);
    }
    facts.files.insert(
        "kubelet-config".into(),
        host.files(
            &kubelet_config_path
                .clone()
                .map(|p| vec![p])
                .unwrap_or_else(|| {
                    if kubelet_known {
                        vec![]
                    } else {
                        paths::kubelet_configs()
                    }
                }),
        ),
    );
    let kubeconfig = arg(&comps, Component::Kubelet, "--kubeconfig");
    facts.files.insert(
        "kubelet-kubeconfig".into(),
        host.files(&one_or(kubeconfig, paths::kubelet_kubeconfigs())),
    );
    let ca = arg(&comps, Component::Kubelet, "--client-ca-file").or_else(|| {
        let cfg = comps
            .get(&Component::Kubelet)?
            .config
            .as_ref()?
            .content
            .as_ref()?;
        cfg.pointer("/authentication/x509/clientCAFile")?
            .as_str()
            .map(str::to_string)
    });
    facts.files.insert(
        "kubelet-ca".into(),
        first_existing(&host, one_or(ca, paths::kubelet_cas())),
    );
    // AKS's cloud-provider configuration, which the AKS benchmark checks (3.1.3, 3.1.4)
    facts.files.insert(
        "azure-json".into(),
        host.files(&["/etc/kubernetes/azure.json".to_string()]),
    );

    // kube-proxy usually runs as a DaemonSet: its files may only exist inside its container.
    if let Some(path) = arg(&comps, Component::Proxy, "--config") {
        let cfg = read_config(&host, pid(&comps, Component::Proxy), &path, None);
        comps.entry(Component::Proxy).or_default().config = Some(cfg);
    }
    let proxy_kc = arg(&comps, Component::Proxy, "--kubeconfig");
    facts.files.insert(
        "proxy-kubeconfig".into(),
        host.files(&one_or(proxy_kc, paths::proxy_kubeconfigs())),
    );

    for c in [Component::Scheduler, Component::Controllermanager] {
        let named = arg(&comps, c, "--kubeconfig");
        facts.files.insert(
            format!("{}-kubeconfig", c.key()),
            host.files(&one_or(named, paths::component_kubeconfigs(c.key()))),
        );
    }
    // etcd run with --config-file (RKE2, k3s) takes every setting from that file
    if let Some(path) = arg(&comps, Component::Etcd, "--config-file") {
        let cfg = read_config(&host, pid(&comps, Component::Etcd), &path, None);
        comps.entry(Component::Etcd).or_default().config = Some(cfg);
    }
    let etcd_config_dir = comps.get(&Component::Etcd).and_then(|e| {
        e.config
            .as_ref()?
            .content
            .as_ref()?
            .get("data-dir")?
            .as_str()
            .map(str::to_string)
    });
    let data_dir = etcd_config_dir
        .or_else(|| arg(&comps, Component::Etcd, "--data-dir"))
        .or_else(|| {
            comps
                .get(&Component::Etcd)?
                .process
                .as_ref()?
                .env
                .get("ETCD_DATA_DIR")
                .cloned()
        });
    facts.files.insert(
        "etcd-data-dir".into(),
        first_existing(&host, one_or(data_dir, paths::etcd_data_dirs())),
    );
    facts.files.insert(
        "admin-kubeconfig".into(),
        host.files(&paths::admin_kubeconfigs()),
    );
    facts
        .files
        .insert("pki".into(), host.tree(&paths::pki_dirs(), true));
    let mut cni = host.tree(
        &paths::cni_dirs(arg(&comps, Component::Kubelet, "--cni-conf-dir").as_deref()),
        false,
    );
    cni.entries.retain(|e| e.kind == "file");
    facts.files.insert("cni-files".into(), cni);

    // files whose content the benchmark asks about, read as the API server reads them
    let apiserver_pid = pid(&comps, Component::Apiserver);
    if let Some(path) = arg(&comps, Component::Apiserver, "--encryption-provider-config") {
        facts.encryption = Some(content::encryption(&host, apiserver_pid, &path));
    }
    if let Some(path) = arg(&comps, Component::Apiserver, "--audit-policy-file") {
        facts.audit_policy = Some(content::audit_policy(&host, apiserver_pid, &path));
    }
    if let Some(path) = arg(
        &comps,
        Component::Apiserver,
        "--admission-control-config-file",
    ) {
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

fn one_or(named: Option<String>, fallback: Vec<String>) -> Vec<String> {
    named.map(|p| vec![p]).unwrap_or(fallback)
}

/// Only the first candidate that exists counts (all are recorded as tried).
fn first_existing(host: &Host, candidates: Vec<String>) -> FileFacts {
    let found = candidates.iter().find(|p| host.exists(p)).cloned();
    FileFacts {
        entries: found.and_then(|p| host.entry(&p)).into_iter().collect(),
        tried: candidates,
        error: None,
    }
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
