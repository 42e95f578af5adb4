//! Finds Kubernetes components among the node's processes by reading
//! /proc/PID/cmdline (and the configuring part of /proc/PID/environ).

use crate::engine::benchmark::Component;
use crate::engine::facts::ProcessFacts;
use std::collections::BTreeMap;
use std::path::Path;

/// A process that runs a Kubernetes component, or k3s/rke2 which embed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Component(Component),
    K3s,
}

/// Which component a command line runs, if any.
pub fn identify(argv: &[String]) -> Option<Found> {
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let bin = base(argv.first()?);
    let sub = argv.get(1).map(|s| base(s)).unwrap_or_default();
    let by_name = |name: &str| -> Option<Component> {
        Some(match name {
            "kube-apiserver" | "apiserver" => Component::Apiserver,
            "kube-controller-manager" | "controller-manager" => Component::Controllermanager,
            "kube-scheduler" | "scheduler" => Component::Scheduler,
            "etcd" => Component::Etcd,
            "kubelet" => Component::Kubelet,
            "kube-proxy" | "proxy" => Component::Proxy,
            _ => return None,
        })
    };
    match bin.as_str() {
        "hyperkube" => by_name(&sub).map(Found::Component),
        "k3s" if sub == "server" || sub == "agent" => Some(Found::K3s),
        "apiserver" | "scheduler" | "proxy" | "controller-manager" => None,
        other => by_name(other).map(Found::Component),
    }
}

/// What the process scan found, lowest pid first for each.
#[derive(Debug, Default)]
pub struct Scan {
    pub components: BTreeMap<Component, ProcessFacts>,
    pub k3s: Option<ProcessFacts>,
    pub error: Option<String>,
}

/// Scans every numeric entry of the proc directory.
pub fn scan(proc_root: &Path) -> Scan {
    let mut out = Scan::default();
    let entries = match std::fs::read_dir(proc_root) {
        Ok(e) => e,
        Err(e) => {
            out.error = Some(format!("cannot list {}: {e}", proc_root.display()));
            return out;
        }
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let dir = proc_root.join(pid.to_string());
        let Ok(raw) = std::fs::read(dir.join("cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        let argv = split_retitled(argv);
        let Some(found) = identify(&argv) else {
            continue;
        };
        let (env, env_error) = match std::fs::read(dir.join("environ")) {
            Ok(raw) => (config_env(&raw), None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (BTreeMap::new(), None),
            Err(e) => (BTreeMap::new(), Some(e.to_string())),
        };
        let facts = ProcessFacts {
            pid,
            cmdline: argv,
            env,
            env_error,
            origins: BTreeMap::new(),
        };
        match found {
            Found::Component(c) => {
                out.components.entry(c).or_insert(facts);
            }
            Found::K3s => {
                out.k3s.get_or_insert(facts);
            }
        }
    }
    out
}

/// Processes that rewrite their title put the whole command in argv[0] with spaces.
fn split_retitled(argv: Vec<String>) -> Vec<String> {
    if argv.len() == 1 && argv[0].contains(' ') {
        argv[0].split_whitespace().map(str::to_string).collect()
    } else {
        argv
    }
}

/// Keeps only variables that configure components (ETCD_*, KUBE*, and the
/// config file k3s reads, K3S_CONFIG_FILE): the rest may hold secrets (K3S_TOKEN).
fn config_env(raw: &[u8]) -> BTreeMap<String, String> {
    raw.split(|b| *b == 0)
        .filter_map(|kv| {
            let kv = String::from_utf8_lossy(kv);
            let (k, v) = kv.split_once('=')?;
            (k.starts_with("ETCD_") || k.starts_with("KUBE") || k == "K3S_CONFIG_FILE")
                .then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}
