//! k3s: every component runs inside the one `k3s server`/`k3s agent` process.

use super::host::{parse_structured, Host};
use super::paths;
use crate::engine::benchmark::Component;
use crate::engine::facts::*;
use std::collections::HashMap;

/// k3s runs every component inside its own process; their flags come from its
/// command line and /etc/rancher/k3s/config.yaml, and its defaults are its own.
pub(super) fn k3s_components(
    host: &Host,
    k3s: &ProcessFacts,
    comps: &mut HashMap<Component, ComponentFacts>,
) {
    let server = k3s.cmdline.get(1).is_some_and(|s| s == "server");
    let config = host
        .read(paths::K3S_CONFIG)
        .ok()
        .and_then(|t| parse_structured(&t).ok());
    let cli = parse_multi(&k3s.cmdline);
    for (key, arg_key) in paths::K3S_ARG_KEYS {
        let Some(c) = Component::from_key(key) else {
            continue;
        };
        let control_plane = !matches!(c, Component::Kubelet | Component::Proxy);
        if control_plane && !server
            || (c == Component::Etcd && !host.exists("/var/lib/rancher/k3s/server/db/etcd"))
        {
            continue;
        }
        let mut argv = vec![format!("k3s-{key}")];
        if let Some(list) = config.as_ref().and_then(|c| c.get(*arg_key)) {
            let vals: Vec<String> = match list {
                serde_json::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                serde_json::Value::String(s) => vec![s.clone()],
                _ => vec![],
            };
            argv.extend(
                vals.into_iter()
                    .map(|v| format!("--{}", v.trim_start_matches('-'))),
            );
        }
        argv.extend(
            cli.iter()
                .filter(|(k, _)| k == arg_key)
                .map(|(_, v)| format!("--{}", v.trim_start_matches('-'))),
        );
        if c == Component::Apiserver && k3s_secrets_encryption(config.as_ref(), &k3s.cmdline) {
            // k3s passes this flag itself; an explicit kube-apiserver-arg after it still wins
            argv.insert(
                1,
                format!(
                    "--encryption-provider-config={}",
                    paths::K3S_ENCRYPTION_CONFIG
                ),
            );
        }
        let cf = comps.entry(c).or_default();
        cf.embedded_in = Some("k3s".into());
        cf.manifest = Some(ArgsFacts {
            path: format!("k3s process {} and {}", k3s.pid, paths::K3S_CONFIG),
            args: argv,
            image: None,
            error: None,
        });
    }
}

/// True when k3s runs with `secrets-encryption` (config file or command line).
fn k3s_secrets_encryption(config: Option<&serde_json::Value>, argv: &[String]) -> bool {
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
