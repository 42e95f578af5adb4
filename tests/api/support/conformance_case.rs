//! One conformance case (`tests/conformance/**/*.yaml`): a node described as data, the
//! benchmark it is judged against, and the verdicts the benchmark's own text calls for.
//! The format is documented in `tests/conformance/README.md`.

use super::hostroot::{HostRoot, ETCD_UID};
use cis_scan::engine::benchmark::model::Benchmark;
use cis_scan::engine::report::State;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A case file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the benchmark's text says about this situation, and so the verdict.
    pub why: Option<String>,
    /// Where that text is: the CIS section, a distribution's guide, a peer issue.
    pub source: Option<String>,
    /// The issue-18 class (1-9) the case reproduces, if any.
    pub class: Option<u8>,
    /// The benchmark (or profile) id, e.g. `cis-1.8`.
    pub benchmark: String,
    /// The provider that runs the control plane (EKS, GKE or AKS), as a scan of a
    /// managed cluster names it; none for a cluster that runs its own.
    pub managed_by: Option<String>,
    /// The node's name.
    #[serde(default = "default_node")]
    pub node: String,
    /// The fake /proc: one argv per process, pids from 100 in order.
    #[serde(default)]
    pub processes: Vec<Vec<String>>,
    /// The fake host root.
    #[serde(default)]
    pub files: Vec<FileEntry>,
    /// Check id → verdict name; checks not listed are not judged.
    pub expect: Option<BTreeMap<String, String>>,
    /// Check id → a substring of the node result's actual, reason or source.
    #[serde(default)]
    pub expect_text: BTreeMap<String, String>,
}

/// One file or directory on the node.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    /// Octal, e.g. "600"; 644 for a file and 755 for a directory when left out.
    pub mode: Option<String>,
    /// `user:group`, each a name (root, etcd) or a number; root:root when left out.
    pub owner: Option<String>,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub dir: bool,
}

fn default_node() -> String {
    "node-1".into()
}

/// The first pid a case's processes get.
pub const FIRST_PID: u32 = 100;

impl Case {
    /// Reads and parses one case file; the error names the file.
    pub fn read(path: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        Case::parse(&text)
    }

    /// Parses a case from its text.
    pub fn parse(text: &str) -> Result<Case, String> {
        serde_saphyr::from_str(text).map_err(|e| format!("not a case: {e}"))
    }

    /// The expected verdicts, refusing a case without `why`, `source` or `expect`, with
    /// an unknown verdict name, or naming a check the benchmark does not have.
    pub fn expectations(&self, benchmark: &Benchmark) -> Result<BTreeMap<String, State>, String> {
        let mut refused = Vec::new();
        if self.why.as_deref().is_none_or(|w| w.trim().is_empty()) {
            refused
                .push("no `why`: say what the benchmark's text says about this node".to_string());
        }
        if self.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            refused.push("no `source`: name the CIS text, guide or peer issue".to_string());
        }
        if self.class.is_some_and(|c| !(1..=9).contains(&c)) {
            refused.push(format!(
                "class {:?} is not one of issue 18's 1-9",
                self.class
            ));
        }
        let expect = match &self.expect {
            Some(e) if !e.is_empty() => e,
            _ => {
                refused.push("no `expect`: a case must judge at least one check".to_string());
                return Err(refused.join("; "));
            }
        };
        let mut states = BTreeMap::new();
        for (id, verdict) in expect {
            match State::parse(verdict) {
                Some(s) => {
                    states.insert(id.clone(), s);
                }
                None => refused.push(format!("{id}: unknown verdict '{verdict}'")),
            }
        }
        for id in expect.keys().chain(self.expect_text.keys()) {
            if benchmark.check(id).is_none() {
                refused.push(format!("{id}: {} has no such check", benchmark.id));
            }
        }
        if refused.is_empty() {
            Ok(states)
        } else {
            Err(refused.join("; "))
        }
    }

    /// Builds the node's host root and /proc.
    pub fn host_root(&self) -> Result<HostRoot, String> {
        let h = HostRoot::new();
        for f in &self.files {
            let mode = parse_mode(f.mode.as_deref(), if f.dir { 0o755 } else { 0o644 })
                .map_err(|e| format!("{}: {e}", f.path))?;
            if !f.path.starts_with('/') || f.path.split('/').any(|p| p == "..") {
                return Err(format!("{}: paths are absolute, without `..`", f.path));
            }
            if f.dir {
                h.dir(&f.path, mode);
            } else {
                h.file(&f.path, &f.content, mode);
            }
            if let Some(owner) = &f.owner {
                let (uid, gid) = parse_owner(owner).map_err(|e| format!("{}: {e}", f.path))?;
                h.chown(&f.path, uid, gid);
            }
        }
        for (i, argv) in self.processes.iter().enumerate() {
            if argv.is_empty() {
                return Err(format!("process {}: an empty command line", i + 1));
            }
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            h.process(FIRST_PID + i as u32, &argv);
        }
        Ok(h)
    }
}

fn parse_mode(mode: Option<&str>, default: u32) -> Result<u32, String> {
    match mode {
        None => Ok(default),
        Some(m) => u32::from_str_radix(m, 8)
            .ok()
            .filter(|v| *v <= 0o7777)
            .ok_or_else(|| format!("mode '{m}' is not octal, e.g. \"600\"")),
    }
}

fn parse_owner(owner: &str) -> Result<(u32, u32), String> {
    let id = |name: &str| match name {
        "root" => Ok(0),
        "etcd" => Ok(ETCD_UID),
        n => n
            .parse::<u32>()
            .map_err(|_| format!("owner '{owner}': users are root, etcd or a number")),
    };
    let (user, group) = owner
        .split_once(':')
        .ok_or_else(|| format!("owner '{owner}' is not user:group"))?;
    Ok((id(user)?, id(group)?))
}

/// Every case file under `dir`, sorted by path.
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
