//! The kubelet's `--config-dir`, read as the kubelet reads it
//! (kubernetes cmd/kubelet/app/server.go, `mergeKubeletConfigurations`):
//! `filepath.WalkDir` over the directory, so every subdirectory too, entries in
//! lexical order, each file ending `.conf` applied as a JSON merge patch
//! (RFC 7386: objects merge key by key, anything else replaces, null removes)
//! over what came before. RKE2 and k3s copy a user's config-dir into a
//! subdirectory of theirs (`kubelet.conf.d/20-cli-config-dir/`), so the walk
//! must descend. The walk is bounded; a bound that stops it is recorded.

use super::host::{parse_structured, Host};
use crate::engine::facts::ConfigFacts;
use serde_json::Value;
use std::collections::BTreeMap;

/// The bounds of one walk; the kubelet has none, a scanner needs them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    /// Most `.conf` files read.
    pub files: usize,
    /// Most directory levels below the drop-in directory descended into.
    pub depth: usize,
    /// Most bytes of one file.
    pub file_bytes: u64,
    /// Most bytes of all files together.
    pub total_bytes: u64,
}

/// The bounds the collector uses.
pub(super) const BOUNDS: Bounds = Bounds {
    files: 128,
    depth: 8,
    file_bytes: 1 << 20,
    total_bytes: 4 << 20,
};

/// Merges every `*.conf` below `dir` over `cfg`, in the kubelet's order,
/// recording each file read, which file set each field, and any bound hit.
pub(super) fn merge_drop_ins(host: &Host, cfg: &mut ConfigFacts, dir: &str, bounds: Bounds) {
    let mut walk = Walk {
        host,
        bounds,
        files: Vec::new(),
        bytes: 0,
        stopped: None,
        error: None,
    };
    walk.dir(dir.trim_end_matches('/'), 0);
    for (path, value) in walk.files {
        let content = cfg.content.get_or_insert(Value::Null);
        merge_patch(content, value, "", &path, &mut cfg.origins);
        cfg.drop_ins.push(path);
    }
    if let Some(e) = walk.error {
        cfg.error = Some(e);
    }
    cfg.incomplete = walk.stopped;
}

struct Walk<'a> {
    host: &'a Host,
    bounds: Bounds,
    /// Parsed drop-ins in walk order.
    files: Vec<(String, Value)>,
    bytes: u64,
    stopped: Option<String>,
    error: Option<String>,
}

impl Walk<'_> {
    /// Walks one directory; false once the walk must stop.
    fn dir(&mut self, dir: &str, depth: usize) -> bool {
        let rd = match std::fs::read_dir(self.host.path(dir)) {
            Ok(rd) => rd,
            Err(e) => {
                // the kubelet refuses to start when its walk fails
                self.error = Some(format!("{dir}: {e}"));
                return false;
            }
        };
        let mut names: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let path = format!("{dir}/{name}");
            let Ok(meta) = self.host.path(&path).symlink_metadata() else {
                continue;
            };
            // WalkDir does not follow a symlink to a directory
            if meta.is_dir() {
                if depth + 1 > self.bounds.depth {
                    self.stopped = Some(format!(
                        "{path} is more than {} directory levels deep and was not read",
                        self.bounds.depth
                    ));
                    return false;
                }
                if !self.dir(&path, depth + 1) {
                    return false;
                }
            } else if name.ends_with(".conf") && !self.file(&path) {
                return false;
            }
        }
        true
    }

    /// Reads one drop-in; false once the walk must stop.
    fn file(&mut self, path: &str) -> bool {
        if self.files.len() >= self.bounds.files {
            self.stopped = Some(format!(
                "more than {} drop-in files: {path} and any after it were not read",
                self.bounds.files
            ));
            return false;
        }
        let size = std::fs::metadata(self.host.path(path)).map_or(0, |m| m.len());
        if size > self.bounds.file_bytes {
            self.stopped = Some(format!(
                "{path} is larger than {} bytes and was not read",
                self.bounds.file_bytes
            ));
            return false;
        }
        if self.bytes + size > self.bounds.total_bytes {
            self.stopped = Some(format!(
                "the drop-ins exceed {} bytes together: {path} and any after it were not read",
                self.bounds.total_bytes
            ));
            return false;
        }
        self.bytes += size;
        match self.host.read(path).and_then(|t| parse_structured(&t)) {
            Ok(v) => self.files.push((path.to_string(), v)),
            // the kubelet refuses to start on a drop-in it cannot load
            Err(e) => {
                self.error = Some(format!("{path}: {e}"));
                return false;
            }
        }
        true
    }
}

/// Applies `patch` to `base` as RFC 7386 does, recording `file` as the
/// origin of every field it sets (under the dotted `prefix`).
fn merge_patch(
    base: &mut Value,
    patch: Value,
    prefix: &str,
    file: &str,
    origins: &mut BTreeMap<String, String>,
) {
    let Value::Object(fields) = patch else {
        set_origin(origins, prefix, file);
        *base = patch;
        return;
    };
    if !base.is_object() {
        set_origin(origins, prefix, file);
        *base = Value::Object(Default::default());
    }
    let Value::Object(target) = base else {
        return;
    };
    for (key, value) in fields {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if value.is_null() {
            target.remove(&key);
            set_origin(origins, &path, file);
        } else {
            merge_patch(
                target.entry(key).or_insert(Value::Null),
                value,
                &path,
                file,
                origins,
            );
        }
    }
}

/// Records `file` for `path`, forgetting the origins of fields it replaced.
fn set_origin(origins: &mut BTreeMap<String, String>, path: &str, file: &str) {
    if path.is_empty() {
        origins.clear();
        return;
    }
    let below = format!("{path}.");
    origins.retain(|k, _| !k.starts_with(&below));
    origins.insert(path.to_string(), file.to_string());
}

#[cfg(test)]
#[path = "drop_ins_tests.rs"]
mod tests;
