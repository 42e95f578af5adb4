//! k3s: every component runs inside the one `k3s server`/`k3s agent` process.
//! Its components' command lines are rebuilt as k3s builds them: k3s's own
//! arguments (k3s_defaults.yaml, from k3s's source), then the `*-arg` entries of
//! /etc/rancher/k3s/config.yaml and config.yaml.d/, then the command line.

use super::host::Host;
use super::paths;
use super::rancher_config::RancherConfig;
use crate::engine::benchmark::Component;
use crate::engine::facts::*;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The arguments k3s passes to each embedded component (k3s_defaults.yaml).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct K3sDefaults {
    #[allow(dead_code)]
    kubernetes_min: String,
    /// Where in k3s's source each component's arguments are set.
    sources: BTreeMap<String, String>,
    components: BTreeMap<String, Vec<String>>,
}

const K3S_DEFAULTS: &str = include_str!("k3s_defaults.yaml");

fn k3s_defaults() -> Option<&'static K3sDefaults> {
    static PARSED: OnceLock<Option<K3sDefaults>> = OnceLock::new();
    PARSED
        .get_or_init(|| serde_saphyr::from_str(K3S_DEFAULTS).ok())
        .as_ref()
}

fn defaults_for(key: &str) -> Vec<String> {
    k3s_defaults()
        .and_then(|d| d.components.get(key))
        .cloned()
        .unwrap_or_default()
}

/// Where k3s sets a component's own arguments, for the evidence.
fn defaults_source(key: &str) -> String {
    k3s_defaults()
        .and_then(|d| d.sources.get(key))
        .cloned()
        .unwrap_or_else(|| "k3s's source".into())
}

/// k3s runs every component inside its own process; their flags come from k3s's
/// own defaults, /etc/rancher/k3s/config.yaml(.d) and its command line. Each
/// flag records where its last value came from.
pub(super) fn k3s_components(
    host: &Host,
    k3s: &ProcessFacts,
    comps: &mut HashMap<Component, ComponentFacts>,
) {
    let server = k3s.cmdline.get(1).is_some_and(|s| s == "server");
    let cli = parse_multi(&k3s.cmdline);
    // k3s reads the file K3S_CONFIG_FILE or --config (-c) names, else its default
    // location (pkg/configfilearg/parser.go, findConfigFileFlag: the variable first)
    let config_path = k3s
        .env
        .get("K3S_CONFIG_FILE")
        .filter(|v| !v.is_empty())
        .cloned()
        .or_else(|| {
            cli.iter()
                .rev()
                .find(|(k, _)| k == "config" || k == "c")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(|| paths::K3S_CONFIG.to_string());
    let config = RancherConfig::read(host, &config_path);
    let embedded_etcd = host.exists(paths::K3S_ETCD_DIR);
    let pid = k3s.pid;
    let own = |what: &str| format!("k3s's own argument ({what}; k3s process {pid})");
    for (key, arg_key) in paths::K3S_ARG_KEYS {
        let Some(c) = Component::from_key(key) else {
            continue;
        };
        let control_plane = !matches!(c, Component::Kubelet | Component::Proxy);
        if control_plane && !server || (c == Component::Etcd && !embedded_etcd) {
            continue;
        }
        let mut argv = Assembled::new(format!("k3s-{key}"));
        argv.extend(defaults_for(key), &own(&defaults_source(key)));
        let written = |path: &str| own(&format!("k3s writes {path}"));
        match c {
            Component::Apiserver if embedded_etcd => argv.extend(
                defaults_for("apiserver_with_etcd"),
                &own(&defaults_source("apiserver_with_etcd")),
            ),
            Component::Kubelet if host.exists(paths::K3S_KUBELET_DROP_INS) => argv.push(
                format!("--config-dir={}", paths::K3S_KUBELET_DROP_INS),
                &written(paths::K3S_KUBELET_DROP_INS),
            ),
            Component::Etcd if host.exists(paths::K3S_ETCD_CONFIG) => argv.push(
                format!("--config-file={}", paths::K3S_ETCD_CONFIG),
                &written(paths::K3S_ETCD_CONFIG),
            ),
            _ => {}
        }
        if c == Component::Apiserver && k3s_secrets_encryption(config.as_ref(), &k3s.cmdline) {
            argv.push(
                format!(
                    "--encryption-provider-config={}",
                    paths::K3S_ENCRYPTION_CONFIG
                ),
                &written(paths::K3S_ENCRYPTION_CONFIG),
            );
        }
        for (value, file) in config.as_ref().map(|c| c.list(arg_key)).unwrap_or_default() {
            argv.push(
                flag(&value),
                &format!("{arg_key} in {file} (k3s process {pid})"),
            );
        }
        // extra args come last, so they override k3s's own, as k3s does
        for (_, value) in cli.iter().filter(|(k, _)| k == arg_key) {
            argv.push(
                flag(value),
                &format!("--{arg_key} on the command line of k3s process {pid}"),
            );
        }
        // embedded etcd takes every setting from the config file k3s writes: without it nothing is known
        let known = k3s_defaults().is_some()
            && (c != Component::Etcd || host.exists(paths::K3S_ETCD_CONFIG));
        let cf = comps.entry(c).or_default();
        cf.embedded_in = Some("k3s".into());
        cf.embedded_defaults_known = known;
        cf.manifest = Some(ArgsFacts {
            path: format!(
                "k3s process {pid}: k3s's own arguments, {config_path}(.d) and its command line"
            ),
            args: argv.args,
            origins: argv.origins,
            image: None,
            error: None,
        });
    }
}

/// `--name=value` from a k3s `*-arg` entry (written with or without dashes).
fn flag(entry: &str) -> String {
    format!("--{}", entry.trim_start_matches('-'))
}

/// An argv built from several places, with where each flag's last value came from.
struct Assembled {
    args: Vec<String>,
    origins: BTreeMap<String, String>,
}

impl Assembled {
    fn new(argv0: String) -> Self {
        Assembled {
            args: vec![argv0],
            origins: BTreeMap::new(),
        }
    }

    fn push(&mut self, arg: String, origin: &str) {
        let name = arg.split_once('=').map_or(arg.as_str(), |(n, _)| n);
        self.origins.insert(name.to_string(), origin.to_string());
        self.args.push(arg);
    }

    fn extend(&mut self, args: Vec<String>, origin: &str) {
        for a in args {
            self.push(a, origin);
        }
    }
}

/// True when k3s runs with `secrets-encryption` (config file or command line).
fn k3s_secrets_encryption(config: Option<&RancherConfig>, argv: &[String]) -> bool {
    let in_config = config
        .and_then(|c| c.scalar("secrets-encryption"))
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    in_config
        || argv
            .iter()
            .any(|a| a == "--secrets-encryption" || a == "--secrets-encryption=true")
}

/// Every `--key=value` / `--key value` pair of an argv, repeats kept.
fn parse_multi(argv: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let t = argv[i].trim_start_matches('-');
        if let Some((k, v)) = t.split_once('=') {
            out.push((k.to_string(), v.to_string()));
        } else if argv[i].starts_with('-') && i + 1 < argv.len() && !argv[i + 1].starts_with('-') {
            out.push((t.to_string(), argv[i + 1].clone()));
            i += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k3s_defaults_data_parses_and_names_known_components() {
        let d = k3s_defaults().expect("k3s_defaults.yaml parses");
        for key in d.components.keys() {
            let base = key.strip_suffix("_with_etcd").unwrap_or(key);
            assert!(Component::from_key(base).is_some(), "{key}");
        }
        assert!(defaults_for("apiserver").contains(&"--anonymous-auth=false".to_string()));
        for key in d.components.keys() {
            assert!(d.sources.contains_key(key), "{key} names no source");
        }
    }
}
