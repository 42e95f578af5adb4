//! The configuration file of k3s and RKE2, merged as their shared parser
//! merges it (k3s-io/k3s pkg/configfilearg/parser.go, `readConfigFile`):
//! `config.yaml` first, then every `*.yaml`/`*.yml` file of `config.yaml.d/`
//! in name order; a later key replaces an earlier one, and a key ending in
//! `+` appends to the earlier value instead (in any of the files). Each list
//! item keeps the file that gave it, so evidence can name that file.

use super::host::{parse_structured, Host};
use super::paths;
use crate::engine::benchmark::Component;
use crate::engine::eval::component_settings::parse_args;
use crate::engine::facts::ComponentFacts;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One value of a key, with the file that gave it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sourced {
    pub value: Value,
    pub file: String,
}

/// A merged k3s/RKE2 configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RancherConfig {
    /// Each key's items: one for a scalar, one per list item.
    keys: BTreeMap<String, Vec<Sourced>>,
}

impl RancherConfig {
    /// Reads `path` and `path.d/`; None when neither has anything.
    pub fn read(host: &Host, path: &str) -> Option<Self> {
        let dir = format!("{path}.d");
        let mut names: Vec<String> = std::fs::read_dir(host.path(&dir))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| {
                        let lower = n.to_ascii_lowercase();
                        lower.ends_with(".yaml") || lower.ends_with(".yml")
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        let mut files = vec![path.to_string()];
        files.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
        let mut config = RancherConfig::default();
        let mut any = false;
        for file in files {
            let Some(Value::Object(map)) = host
                .read(&file)
                .ok()
                .and_then(|t| parse_structured(&t).ok())
            else {
                continue;
            };
            any = true;
            for (key, value) in map {
                config.apply(&key, value, &file);
            }
        }
        any.then_some(config)
    }

    fn apply(&mut self, key: &str, value: Value, file: &str) {
        let (key, append) = match key.strip_suffix('+') {
            Some(k) => (k, true),
            None => (key, false),
        };
        let items = |v: Value| -> Vec<Sourced> {
            match v {
                Value::Array(a) => a
                    .into_iter()
                    .map(|value| Sourced {
                        value,
                        file: file.to_string(),
                    })
                    .collect(),
                other => vec![Sourced {
                    value: other,
                    file: file.to_string(),
                }],
            }
        };
        // appending to a key not set yet sets it, as k3s does
        if append && self.keys.contains_key(key) {
            let list = self.keys.entry(key.to_string()).or_default();
            list.extend(items(value));
            return;
        }
        self.keys.insert(key.to_string(), items(value));
    }

    /// A key's value as k3s would pass it (`true` for a bare boolean key).
    pub fn scalar(&self, key: &str) -> Option<&Value> {
        self.keys.get(key)?.last().map(|s| &s.value)
    }

    /// A key's values as k3s turns them into repeated flags, each with its file.
    pub fn list(&self, key: &str) -> Vec<(String, &str)> {
        self.keys
            .get(key)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|s| text(&s.value).map(|t| (t, s.file.as_str())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// RKE2 passes each `*-arg` entry of its configuration to the component as a
/// flag: where the component's last value of a flag is the one an entry
/// gives, that entry's file is recorded as the flag's origin.
pub(super) fn rke2_origins(config: &RancherConfig, comps: &mut HashMap<Component, ComponentFacts>) {
    for (key, arg_key) in paths::K3S_ARG_KEYS {
        let Some(cf) = Component::from_key(key).and_then(|c| comps.get_mut(&c)) else {
            continue;
        };
        let entries = config.list(arg_key);
        if entries.is_empty() {
            continue;
        }
        let (argv, origins, place) = match (&mut cf.process, &mut cf.manifest) {
            (Some(p), _) => {
                let place = format!("process {}", p.pid);
                (p.cmdline.clone(), &mut p.origins, place)
            }
            (None, Some(m)) => {
                let place = format!("manifest {}", m.path);
                (m.args.clone(), &mut m.origins, place)
            }
            _ => continue,
        };
        let running = parse_args(&argv);
        for (entry, file) in entries {
            let entry = entry.trim_start_matches('-');
            let (name, value) = entry.split_once('=').unwrap_or((entry, "true"));
            let flag = format!("--{name}");
            if running.get(&flag).is_some_and(|v| v == value) {
                origins.insert(
                    flag,
                    format!("{arg_key} in {file}, as rke2 passes it ({place})"),
                );
            }
        }
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::test_host::host_with;

    const C: &str = "/etc/rancher/k3s/config.yaml";

    #[test]
    fn a_plus_key_appends_and_each_item_keeps_its_file() {
        let (_t, host) = host_with(&[
            (C, "kubelet-arg:\n  - read-only-port=0\n"),
            (
                "/etc/rancher/k3s/config.yaml.d/10-a.yaml",
                "kubelet-arg+:\n  - anonymous-auth=true\n",
            ),
        ]);
        let c = RancherConfig::read(&host, C).unwrap();
        assert_eq!(
            c.list("kubelet-arg"),
            vec![
                ("read-only-port=0".to_string(), C),
                (
                    "anonymous-auth=true".to_string(),
                    "/etc/rancher/k3s/config.yaml.d/10-a.yaml"
                ),
            ]
        );
    }

    #[test]
    fn a_later_plain_key_replaces_and_files_merge_in_name_order() {
        let (_t, host) = host_with(&[
            (C, "kubelet-arg: [a=1]\nprofile: cis\n"),
            (
                "/etc/rancher/k3s/config.yaml.d/20-b.yaml",
                "kubelet-arg: [c=3]\n",
            ),
            (
                "/etc/rancher/k3s/config.yaml.d/10-a.yaml",
                "kubelet-arg+: [b=2]\n",
            ),
            (
                "/etc/rancher/k3s/config.yaml.d/notes.txt",
                "kubelet-arg: [x=9]\n",
            ),
        ]);
        let c = RancherConfig::read(&host, C).unwrap();
        let items: Vec<String> = c.list("kubelet-arg").into_iter().map(|(v, _)| v).collect();
        assert_eq!(items, ["c=3"]);
        assert_eq!(c.scalar("profile"), Some(&Value::String("cis".into())));
    }

    #[test]
    fn a_plus_key_in_the_main_file_is_the_key_without_the_plus() {
        let (_t, host) = host_with(&[(C, "kube-apiserver-arg+: [profiling=false]\n")]);
        let c = RancherConfig::read(&host, C).unwrap();
        assert_eq!(c.list("kube-apiserver-arg").len(), 1);
        assert!(c.list("kube-apiserver-arg+").is_empty());
    }
}
