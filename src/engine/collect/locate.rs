//! Where the files the benchmark asks about are on this node. A file a
//! component names (a flag, a config field, a distribution's own argument) is
//! recorded as configured, by what named it; otherwise the well-known
//! locations of each distribution are tried, recorded as guessed. The
//! evaluator judges a file found nowhere by that difference (docs/VERDICTS.md,
//! "Absent files").

use super::configs::read_config;
use super::host::Host;
use super::{configs, paths};
use crate::engine::benchmark::Component;
use crate::engine::eval::component_settings::parse_args;
use crate::engine::facts::*;
use std::collections::{BTreeMap, HashMap};

/// The components found so far, asked for the flags they run with.
pub(super) struct Named<'a> {
    pub comps: &'a HashMap<Component, ComponentFacts>,
}

impl Named<'_> {
    /// The last value of `flag` (process, else manifest, else systemd unit),
    /// with what named it: `kubelet --kubeconfig`, and the origin of an
    /// assembled argument (k3s).
    pub fn arg(&self, c: Component, flag: &str) -> Option<(String, String)> {
        let cf = self.comps.get(&c)?;
        let (argv, origins) = match (&cf.process, &cf.manifest, &cf.unit) {
            (Some(p), _, _) => (&p.cmdline, None),
            (None, Some(m), _) => (&m.args, Some(&m.origins)),
            (None, None, Some(u)) => (&u.args, None),
            _ => return None,
        };
        let value = parse_args(argv).remove(flag).filter(|v| !v.is_empty())?;
        let by = match origins.and_then(|o| o.get(flag)) {
            Some(origin) => format!("{} {flag}, {origin}", name(c)),
            None => format!("{} {flag}", name(c)),
        };
        Some((value, by))
    }

    /// The value of `flag` alone.
    pub fn value(&self, c: Component, flag: &str) -> Option<String> {
        self.arg(c, flag).map(|(v, _)| v)
    }

    /// The component's process id, for files inside its container.
    pub fn pid(&self, c: Component) -> Option<u32> {
        self.comps.get(&c)?.process.as_ref().map(|p| p.pid)
    }
}

fn name(c: Component) -> &'static str {
    match c {
        Component::Apiserver => "kube-apiserver",
        Component::Controllermanager => "kube-controller-manager",
        Component::Scheduler => "kube-scheduler",
        Component::Etcd => "etcd",
        Component::Kubelet => "kubelet",
        Component::Proxy => "kube-proxy",
        _ => "the component",
    }
}

/// The named file if something names it, else the well-known candidates.
pub(super) fn named_or_guessed(
    host: &Host,
    pid: Option<u32>,
    named: Option<(String, String)>,
    guesses: Vec<String>,
) -> FileFacts {
    match named {
        Some((path, by)) => host.named(pid, &path, by),
        None => host.files(&guesses),
    }
}

/// The kubelet's config file and drop-ins, and the files it names.
pub(super) fn kubelet(
    host: &Host,
    comps: &mut HashMap<Component, ComponentFacts>,
    files: &mut BTreeMap<String, FileFacts>,
) {
    let (config, config_dir, kubeconfig, flag_ca, pid, known) = {
        let n = Named { comps };
        let known = comps
            .get(&Component::Kubelet)
            .is_some_and(|k| k.process.is_some() || k.unit.is_some());
        (
            n.arg(Component::Kubelet, "--config"),
            n.value(Component::Kubelet, "--config-dir"),
            n.arg(Component::Kubelet, "--kubeconfig"),
            n.arg(Component::Kubelet, "--client-ca-file"),
            n.pid(Component::Kubelet),
            known,
        )
    };
    // the file the kubelet names, or a usual location when its arguments are unknown
    let guessed = (!known)
        .then(|| {
            paths::kubelet_configs()
                .into_iter()
                .find(|p| host.exists(p))
        })
        .flatten();
    let config_path = config.as_ref().map(|(p, _)| p.clone()).or(guessed.clone());
    let cfg = match (&config_path, &config_dir) {
        (Some(path), dir) => Some(read_config(host, pid, path, dir.as_deref())),
        (None, Some(dir)) => Some(configs::read_drop_ins(host, dir)),
        (None, None) => None,
    };
    let ca = flag_ca.or_else(|| {
        let cfg = cfg.as_ref()?;
        let key = "authentication.x509.clientCAFile";
        let value = cfg
            .content
            .as_ref()?
            .pointer("/authentication/x509/clientCAFile")?
            .as_str()
            .filter(|v| !v.is_empty())?;
        let file = cfg.origin_of(key).unwrap_or(&cfg.path);
        Some((value.to_string(), format!("kubelet {key} in {file}")))
    });
    if let Some(cfg) = cfg {
        comps.entry(Component::Kubelet).or_default().config = Some(cfg);
    }
    let config_facts = match config {
        Some((path, by)) => host.named(pid, &path, by),
        // a kubelet whose arguments are known and name no --config reads none
        None if known => FileFacts::default(),
        None => host.files(&guessed.map_or_else(paths::kubelet_configs, |p| vec![p])),
    };
    files.insert("kubelet-config".into(), config_facts);
    files.insert(
        "kubelet-kubeconfig".into(),
        named_or_guessed(host, pid, kubeconfig, paths::kubelet_kubeconfigs()),
    );
    let ca_facts = match ca {
        Some((path, by)) => host.named(pid, &path, by),
        None => first_existing(host, paths::kubelet_cas()),
    };
    files.insert("kubelet-ca".into(), ca_facts);
}

/// Only the first candidate that exists counts (all are recorded as tried).
pub(super) fn first_existing(host: &Host, candidates: Vec<String>) -> FileFacts {
    let found = candidates.iter().find(|p| host.exists(p)).cloned();
    FileFacts {
        entries: found.and_then(|p| host.entry(&p)).into_iter().collect(),
        tried: candidates,
        ..Default::default()
    }
}
