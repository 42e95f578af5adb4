//! Configuration a component reads besides its flags: static pod manifests and
//! config files (with drop-in directories merged as the component merges them,
//! drop_ins.rs).

use super::drop_ins::{merge_drop_ins, BOUNDS};
use super::host::{parse_structured, Host};
use crate::engine::facts::*;

/// The container command and args of a static pod manifest, as one argv.
pub(super) fn manifest_args(host: &Host, path: &str) -> ArgsFacts {
    let mut facts = ArgsFacts {
        path: path.to_string(),
        ..Default::default()
    };
    let parsed = host.read(path).and_then(|t| parse_structured(&t));
    match parsed {
        Err(e) => facts.error = Some(e),
        Ok(doc) => match doc.pointer("/spec/containers/0") {
            None => facts.error = Some("no spec.containers[0] in the manifest".into()),
            Some(c) => {
                let strings = |k: &str| -> Vec<String> {
                    c.get(k)
                        .and_then(|v| v.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let mut argv = strings("command");
                if argv.is_empty() {
                    argv.push(
                        c.get("name")
                            .and_then(|n| n.as_str())
                            .unwrap_or("container")
                            .to_string(),
                    );
                }
                argv.extend(strings("args"));
                facts.args = argv;
                facts.image = c.get("image").and_then(|i| i.as_str()).map(str::to_string);
            }
        },
    }
    facts
}

/// Reads a component config file (and a drop-in directory merged over it).
pub(super) fn read_config(
    host: &Host,
    pid: Option<u32>,
    path: &str,
    drop_dir: Option<&str>,
) -> ConfigFacts {
    let mut cfg = ConfigFacts {
        path: path.to_string(),
        ..Default::default()
    };
    match host
        .read_for_process(pid, path)
        .and_then(|(t, shown)| parse_structured(&t).map(|v| (v, shown)))
    {
        Ok((v, shown)) => {
            cfg.path = shown;
            cfg.content = Some(v);
        }
        Err(e) => {
            cfg.error = Some(e);
            return cfg;
        }
    }
    if let Some(dir) = drop_dir {
        merge_drop_ins(host, &mut cfg, dir, BOUNDS);
    }
    cfg
}

/// The kubelet's `--config-dir` drop-ins alone: the kubelet reads them when it
/// runs without `--config` too (RKE2 runs it that way), merged over its defaults.
pub(super) fn read_drop_ins(host: &Host, dir: &str) -> ConfigFacts {
    let mut cfg = ConfigFacts {
        path: format!("{} (drop-ins, no --config)", dir.trim_end_matches('/')),
        drop_ins_only: true,
        ..Default::default()
    };
    if !host.exists(dir) {
        cfg.error = Some(format!("--config-dir {dir} does not exist"));
        return cfg;
    }
    merge_drop_ins(host, &mut cfg, dir, BOUNDS);
    if cfg.content.is_none() {
        cfg.content = Some(serde_json::Value::Object(Default::default()));
    }
    cfg
}
