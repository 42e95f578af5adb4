//! Reads the crate's import graph from its source: which file's code names
//! which other file's module (`use crate::…`, `super::…`, `self::…`, brace
//! groups included, and paths written inline). Comments and the trailing
//! `#[cfg(test)] mod tests` are left out. A module naming its own descendants
//! is how Rust declares and re-exports them, not a dependency, so such edges
//! are left out too; a child naming its parent is kept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Files by module path (`["service", "store"]` → `src/service/store/mod.rs`)
/// and, per file, the module paths its code names.
pub struct ImportGraph {
    modules: BTreeMap<Vec<String>, String>,
    uses: BTreeMap<String, (Vec<String>, Vec<Vec<String>>)>,
}

/// Directed edges between named nodes.
pub type Edges = BTreeSet<(String, String)>;

impl ImportGraph {
    /// Reads every `.rs` file under `src` except `main.rs` (the binary).
    pub fn read(src: &Path) -> Self {
        let mut g = ImportGraph {
            modules: BTreeMap::new(),
            uses: BTreeMap::new(),
        };
        let mut files = Vec::new();
        walk(src, &mut files);
        for file in files {
            let rel = file
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if rel == "main.rs" {
                continue;
            }
            let module = module_path(&rel);
            let name = format!("src/{rel}");
            let text = std::fs::read_to_string(&file).unwrap();
            let paths = named_paths(&without_tests_and_comments(&text), &module);
            g.modules.insert(module.clone(), name.clone());
            g.uses.insert(name, (module, paths));
        }
        g
    }

    /// How many files were read.
    pub fn files(&self) -> usize {
        self.uses.len()
    }

    /// The file whose module is the longest prefix of `path`.
    fn resolve(&self, path: &[String]) -> Option<(&Vec<String>, &String)> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.modules.get_key_value(&path[..n]))
    }

    /// Edges between files, each with its top-level module (`engine`, `error`…).
    pub fn file_edges_with_tops(&self) -> Vec<((String, String), (String, String))> {
        let mut out = Vec::new();
        for (file, (module, paths)) in &self.uses {
            for p in paths {
                let Some((target_module, target)) = self.resolve(p) else {
                    continue;
                };
                let descendant = target_module.len() > module.len()
                    && target_module[..module.len()] == module[..];
                if target == file || descendant {
                    continue;
                }
                out.push((
                    (file.clone(), top(module)),
                    (target.clone(), top(target_module)),
                ));
            }
        }
        out
    }

    /// Edges between files.
    pub fn file_edges(&self) -> Edges {
        self.file_edges_with_tops()
            .into_iter()
            .map(|((a, _), (b, _))| (a, b))
            .collect()
    }

    /// Edges between top-level modules (the crate root `lib.rs` left out).
    pub fn top_level_edges(&self) -> Edges {
        self.file_edges_with_tops()
            .into_iter()
            .map(|((_, a), (_, b))| (a, b))
            .filter(|(a, b)| a != b && !a.is_empty() && !b.is_empty())
            .collect()
    }
}

fn top(module: &[String]) -> String {
    module.first().cloned().unwrap_or_default()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `service/store/mod.rs` → `[service, store]`; `lib.rs` → `[]`.
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The text before a trailing `#[cfg(test)] mod …`, without `//` comment lines.
fn without_tests_and_comments(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
        if t == "#[cfg(test)]" && next.starts_with("mod ") && next.ends_with('{') {
            break;
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every `crate::`, `super::` or `self::` path in `code`, absolute, brace groups expanded.
fn named_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        let base = if !boundary {
            None
        } else if bytes[i..].starts_with(b"crate::") {
            Some(Vec::new())
        } else if bytes[i..].starts_with(b"super::") || bytes[i..].starts_with(b"self::") {
            Some(module.to_vec())
        } else {
            None
        };
        match base {
            Some(base) => {
                let mut expanded = Vec::new();
                i = parse_path(code, i, base, &mut expanded);
                out.extend(expanded);
            }
            None => i += 1,
        }
    }
    out
}

/// Parses `a::b::{c, d::e}` from `at`, prefixed by `base`; returns where it ended.
fn parse_path(
    code: &str,
    mut at: usize,
    mut base: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let bytes = code.as_bytes();
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < bytes.len() && bytes[at] == b'{' {
            at += 1;
            loop {
                while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b',') {
                    at += 1;
                }
                if at >= bytes.len() || bytes[at] == b'}' {
                    return at + 1;
                }
                let before = at;
                at = parse_path(code, at, base.clone(), out);
                if at == before {
                    at += 1;
                }
            }
        }
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
            at += 1;
        }
        let word = &code[start..at];
        match word {
            "" => {
                out.push(base);
                return at;
            }
            "crate" => base.clear(),
            "super" => {
                base.pop();
            }
            "self" => {}
            w => base.push(w.to_string()),
        }
        if code[at..].starts_with("::") {
            at += 2;
        } else {
            out.push(base);
            return at;
        }
    }
}

/// One cycle per strongly connected component of more than one node, as the
/// path from its smallest node back to itself; sorted.
pub fn cycles(edges: &Edges) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    let reach = |from: &str| {
        let mut seen = BTreeSet::from([from.to_string()]);
        let mut todo = vec![from];
        while let Some(n) = todo.pop() {
            for m in &next[n] {
                if seen.insert(m.to_string()) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for &n in next.keys() {
        if done.contains(n) {
            continue;
        }
        let component: BTreeSet<String> = reach(n)
            .into_iter()
            .filter(|m| reach(m).contains(n))
            .collect();
        done.extend(component.iter().cloned());
        if component.len() > 1 {
            found.push(path_back(n, &component, &next));
        }
    }
    found.sort();
    found
}

/// A shortest path from `start` back to itself inside `component` (breadth first).
fn path_back(
    start: &str,
    component: &BTreeSet<String>,
    next: &BTreeMap<&str, Vec<&str>>,
) -> Vec<String> {
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &m in &next[n] {
            if !component.contains(m) {
                continue;
            }
            if m == start {
                let mut back = vec![n];
                while let Some(&p) = parent.get(back[back.len() - 1]) {
                    back.push(p);
                }
                let mut path: Vec<String> = back.iter().rev().map(|s| s.to_string()).collect();
                if path[0] != start {
                    path.insert(0, start.to_string());
                }
                path.push(start.to_string());
                return path;
            }
            if !parent.contains_key(m) {
                parent.insert(m, n);
                queue.push_back(m);
            }
        }
    }
    vec![start.to_string()]
}
