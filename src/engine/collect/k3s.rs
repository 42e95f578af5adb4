//! k3s: every component runs inside the one `k3s server`/`k3s agent` process.
//! Its components' command lines are rebuilt as k3s builds them: k3s's own
//! arguments (k3s_defaults.yaml, from k3s's source), then the `*-arg` entries of
//! /etc/rancher/k3s/config.yaml and config.yaml.d/, then the command line.

use super::host::{parse_structured, Host};
use super::paths;
use crate::engine::benchmark::Component;
use crate::engine::facts::*;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The arguments k3s passes to each embedded component (k3s_defaults.yaml).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct K3sDefaults {
    #[allow(dead_code)]
    kubernetes_min: String,
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

/// k3s runs every component inside its own process; their flags come from k3s's
/// own defaults, /etc/rancher/k3s/config.yaml(.d) and its command line.
pub(super) fn k3s_components(
    host: &Host,
    k3s: &ProcessFacts,
    comps: &mut HashMap<Component, ComponentFacts>,
) {
    let server = k3s.cmdline.get(1).is_some_and(|s| s == "server");
    let config = rancher_config(host, paths::K3S_CONFIG);
    let cli = parse_multi(&k3s.cmdline);
    let embedded_etcd = host.exists(paths::K3S_ETCD_DIR);
    for (key, arg_key) in paths::K3S_ARG_KEYS {
        let Some(c) = Component::from_key(key) else {
            continue;
        };
        let control_plane = !matches!(c, Component::Kubelet | Component::Proxy);
        if control_plane && !server || (c == Component::Etcd && !embedded_etcd) {
            continue;
        }
        let mut argv = vec![format!("k3s-{key}")];
        argv.extend(defaults_for(key));
        match c {
            Component::Apiserver if embedded_etcd => {
                argv.extend(defaults_for("apiserver_with_etcd"))
            }
            Component::Kubelet if host.exists(paths::K3S_KUBELET_DROP_INS) => {
                argv.push(format!("--config-dir={}", paths::K3S_KUBELET_DROP_INS))
            }
            Component::Etcd if host.exists(paths::K3S_ETCD_CONFIG) => {
                argv.push(format!("--config-file={}", paths::K3S_ETCD_CONFIG))
            }
            _ => {}
        }
        if c == Component::Apiserver && k3s_secrets_encryption(config.as_ref(), &k3s.cmdline) {
            argv.push(format!(
                "--encryption-provider-config={}",
                paths::K3S_ENCRYPTION_CONFIG
            ));
        }
        if let Some(list) = config.as_ref().and_then(|c| c.get(*arg_key)) {
            let vals: Vec<String> = match list {
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Value::String(s) => vec![s.clone()],
                _ => vec![],
            };
            argv.extend(
                vals.into_iter()
                    .map(|v| format!("--{}", v.trim_start_matches('-'))),
            );
        }
        // extra args come last, so they override k3s's own, as k3s does
        argv.extend(
            cli.iter()
                .filter(|(k, _)| k == arg_key)
                .map(|(_, v)| format!("--{}", v.trim_start_matches('-'))),
        );
        // embedded etcd takes every setting from the config file k3s writes: without it nothing is known
        let known = k3s_defaults().is_some()
            && (c != Component::Etcd || host.exists(paths::K3S_ETCD_CONFIG));
        let cf = comps.entry(c).or_default();
        cf.embedded_in = Some("k3s".into());
        cf.embedded_defaults_known = known;
        cf.manifest = Some(ArgsFacts {
            path: format!(
                "k3s process {}: k3s's own arguments, {}(.d) and its command line",
                k3s.pid,
                paths::K3S_CONFIG
            ),
            args: argv,
            image: None,
            error: None,
        });
    }
}

/// A Rancher config file merged with its `.d` directory as k3s and RKE2 merge
/// them: files in name order, a later key replaces, a key ending in `+` appends.
pub(super) fn rancher_config(host: &Host, path: &str) -> Option<Value> {
    let mut merged = host
        .read(path)
        .ok()
        .and_then(|t| parse_structured(&t).ok())
        .filter(Value::is_object);
    let dir = format!("{path}.d");
    let mut names: Vec<String> = std::fs::read_dir(host.path(&dir))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for n in names {
        let Some(Value::Object(over)) = host
            .read(&format!("{dir}/{n}"))
            .ok()
            .and_then(|t| parse_structured(&t).ok())
        else {
            continue;
        };
        let base = merged.get_or_insert_with(|| Value::Object(Default::default()));
        let Value::Object(base) = base else { continue };
        for (k, v) in over {
            match k.strip_suffix('+') {
                Some(key) => {
                    let entry = base.entry(key.to_string()).or_insert(Value::Array(vec![]));
                    let mut list = match entry.take() {
                        Value::Array(a) => a,
                        Value::Null => vec![],
                        other => vec![other],
                    };
                    match v {
                        Value::Array(a) => list.extend(a),
                        other => list.push(other),
                    }
                    *entry = Value::Array(list);
                }
                None => {
                    base.insert(k, v);
                }
            }
        }
    }
    merged
}

/// True when k3s runs with `secrets-encryption` (config file or command line).
fn k3s_secrets_encryption(config: Option<&Value>, argv: &[String]) -> bool {
    let in_config = config
        .and_then(|c| c.get("secrets-encryption"))
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
    }
}
