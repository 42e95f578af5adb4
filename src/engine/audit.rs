//! How to check a result by hand: the command a person runs on the node (or
//! against the cluster, for section 5) to see the fact that decided the verdict.
//!
//! The command is derived from the result's own evidence: its `source` names the
//! process, manifest, systemd unit, config file or file the evaluator read, and
//! its `expected` tells a file's mode or owner test from a test of its content.
//! [`AuditHints`] add what the evaluator knew besides (the component's binary, the
//! config drop-ins, a file pattern, the API lists read); a result read back
//! without them (a report stored before `audit` existed) still gets the command
//! its source names. Every path and name is shell-quoted unless it is a plain
//! token, so nothing read from a node can run as a command of its own.

use crate::engine::facts::FileEntry;

/// What the evaluator knows beyond a result's source that makes its command exact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AuditHints<'a> {
    /// The component's binary as people know it (kube-apiserver, kubelet, etcd).
    pub binary: Option<&'a str>,
    /// Where the component's arguments were read (a process, manifest or unit), as a source.
    pub args_source: Option<&'a str>,
    /// The component's config file (the kubelet's --config), when one was read.
    pub config: Option<&'a str>,
    /// Drop-in files merged over the component's config file, in the order they apply.
    pub drop_ins: &'a [String],
    /// What was found of the files a file test judges (before its pattern applies).
    pub files: &'a [FileEntry],
    /// The name pattern of the files a file test judges ("*.crt").
    pub pattern: Option<&'a str>,
    /// The Kubernetes API lists a section 5 assessment reads.
    pub api_reads: &'a [&'a str],
}

/// The command(s) showing the fact behind a result with this `source` and
/// `expected`; several are joined with "; ", and "" when there is nothing to run.
pub fn command(source: &str, expected: &str, hints: &AuditHints) -> String {
    let mut out: Vec<String> = Vec::new();
    let parts: Vec<&str> = source.split("; ").filter(|p| !p.is_empty()).collect();
    let parts = if parts.is_empty() { vec![""] } else { parts };
    for part in parts {
        let Some(c) = part_command(part, expected, hints) else {
            continue;
        };
        for piece in c.split("; ").map(str::to_string) {
            if !out.contains(&piece) {
                out.push(piece);
            }
        }
    }
    out.join("; ")
}

/// The command for one source, as the evaluator writes sources.
fn part_command(part: &str, expected: &str, hints: &AuditHints) -> Option<String> {
    if let Some(rest) = part.strip_prefix("process ") {
        return Some(process_command(rest));
    }
    if let Some(rest) = part.strip_prefix("manifest ") {
        return match rest.strip_prefix("k3s process ") {
            Some(_) => k3s_command(hints.binary),
            None => Some(format!("cat {}", quote(rest))),
        };
    }
    if let Some(rest) = part.strip_prefix("systemd unit ") {
        return Some(cat(rest.split(" + ")));
    }
    if let Some(var) = part.strip_prefix("environment ") {
        return environment_command(var);
    }
    if let Some(rest) = part.strip_prefix("config file ") {
        let (path, after) = rest.split_once(" (").unwrap_or((rest, ""));
        if !after.starts_with(DROP_INS_ONLY) {
            let drop_ins = hints.drop_ins.iter().map(String::as_str);
            return Some(cat(std::iter::once(path).chain(drop_ins)));
        }
        return Some(match hints.drop_ins {
            [] => drop_in_dir_command(path),
            files => cat(files.iter().map(String::as_str)),
        });
    }
    if let Some(rest) = part.strip_prefix("file ") {
        return Some(file_command(rest, expected));
    }
    if let Some(tried) = part.strip_prefix("looked at ") {
        let paths: Vec<&str> = tried.split(", ").filter(|p| p.starts_with('/')).collect();
        return (!paths.is_empty()).then(|| stat(paths.into_iter()));
    }
    if let Some((_, dir)) = part.split_once(" files under ") {
        return files_command(dir, hints);
    }
    if part.starts_with("Kubernetes API") {
        return api_command(part, hints.api_reads);
    }
    if part.starts_with('/') {
        return Some(file_command(part, expected));
    }
    // a default, an absent setting or a manual review: the component's own arguments
    args_command(part, hints)
}

/// How the component runs: where its arguments were read (else its process), then
/// its config file and drop-ins, which a setting given nowhere is absent from too.
fn args_command(part: &str, hints: &AuditHints) -> Option<String> {
    let args = process_or_args(part, hints);
    let configs: Vec<&str> = hints
        .config
        .into_iter()
        .chain(hints.drop_ins.iter().map(String::as_str))
        .collect();
    match (args, configs.is_empty()) {
        (Some(a), false) => Some(format!("{a}; {}", cat(configs.into_iter()))),
        (None, false) => Some(cat(configs.into_iter())),
        (a, true) => a,
    }
}

fn process_or_args(part: &str, hints: &AuditHints) -> Option<String> {
    if let Some(args) = hints.args_source.filter(|a| *a != part) {
        let binary_only = AuditHints {
            binary: hints.binary,
            ..Default::default()
        };
        return part_command(args, "", &binary_only);
    }
    let named = part
        .strip_prefix("default (")
        .and_then(|r| r.split_once(" uses "))
        .map(|(name, _)| name)
        .filter(|n| is_token(n));
    hints
        .binary
        .or(named)
        .map(|b| format!("ps -o args= -C {}", quote(b)))
}

/// `123 (kube-apiserver)`: the running process's command line, found by its name.
fn process_command(rest: &str) -> String {
    let (pid, bin) = rest.split_once(" (").unwrap_or((rest, ""));
    let bin = bin.strip_suffix(')').unwrap_or(bin);
    if is_token(bin) && bin != "?" {
        format!("ps -o args= -C {}", quote(bin))
    } else {
        format!("ps -o args= -p {}", quote(pid))
    }
}

/// k3s runs a component inside its own process and logs the arguments it starts it with.
/// (k3s's embedded etcd is not logged so: its config file is what it reads.)
fn k3s_command(binary: Option<&str>) -> Option<String> {
    let what = binary.filter(|b| is_token(b)).unwrap_or("kube");
    (what != "etcd")
        .then(|| format!("journalctl -u k3s -u k3s-agent | grep 'Running {what}' | tail -n 1"))
}

/// How the evaluator names a kubelet config that is only a `--config-dir`.
const DROP_INS_ONLY: &str = "drop-ins, no --config)";

/// Every `*.conf` under a kubelet's `--config-dir`, in the order the kubelet reads them.
fn drop_in_dir_command(dir: &str) -> String {
    format!(
        "find {} -name '*.conf' -print0 | sort -z | xargs -0 cat",
        quote(dir)
    )
}

/// etcd reads ETCD_* variables from its environment.
fn environment_command(var: &str) -> Option<String> {
    let plain = !var.is_empty()
        && var
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    plain.then(|| format!("tr '\\0' '\\n' < /proc/$(pgrep -o -x etcd)/environ | grep '^{var}='"))
}

/// A file test: its mode and owner, or its content when the test reads what it says.
fn file_command(path: &str, expected: &str) -> String {
    if expected.starts_with("permissions ") || expected.starts_with("owned by ") {
        stat(std::iter::once(path))
    } else {
        format!("cat {}", quote(path))
    }
}

/// Most files listed by name are few: more are found under their directory.
const LISTED_FILES: usize = 8;

/// `4 files under /etc/kubernetes/pki`: a directory holding the others is found
/// whole, a pattern's files are found under their directory, a few files are
/// listed by name; without what was found, the directory named (never all of /).
fn files_command(dir: &str, hints: &AuditHints) -> Option<String> {
    let suffix = hints.pattern.map(|p| p.trim_start_matches('*'));
    let judged: Vec<&FileEntry> = hints
        .files
        .iter()
        .filter(|e| suffix.is_none_or(|s| e.kind != "dir" && e.path.ends_with(s)))
        .collect();
    let holds_all = |d: &&&FileEntry| {
        d.kind == "dir"
            && judged
                .iter()
                .all(|o| o.path == d.path || o.path.starts_with(&format!("{}/", d.path)))
    };
    if let Some(d) = judged.iter().find(holds_all) {
        return Some(find_command(&d.path, None));
    }
    if hints.pattern.is_some() && dir != "/" {
        return Some(find_command(dir, hints.pattern));
    }
    if !judged.is_empty() && (judged.len() <= LISTED_FILES || dir == "/") {
        return Some(stat(judged.iter().map(|e| e.path.as_str())));
    }
    (dir != "/").then(|| find_command(dir, hints.pattern))
}

fn find_command(dir: &str, pattern: Option<&str>) -> String {
    let name = pattern
        .map(|p| format!(" -type f -name {}", quote(p)))
        .unwrap_or_default();
    format!(
        "find {}{name} -exec stat -c '%n %a %U:%G' {{}} +",
        quote(dir)
    )
}

/// `Kubernetes API (clusterroles, roles)`: the lists the assessment read.
fn api_command(part: &str, reads: &[&str]) -> Option<String> {
    let named: Vec<&str> = part
        .strip_prefix("Kubernetes API (")
        .and_then(|r| r.strip_suffix(')'))
        .map(|r| r.split(", ").collect())
        .unwrap_or_default();
    let lists: Vec<&str> = if named.is_empty() {
        reads.to_vec()
    } else {
        named
    };
    let lists: Vec<&str> = lists.into_iter().filter(|l| is_token(l)).collect();
    (!lists.is_empty()).then(|| format!("kubectl get {} -A -o yaml", lists.join(",")))
}

fn stat<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = paths.map(quote).collect();
    format!("stat -c '%n %a %U:%G' {}", quoted.join(" "))
}

/// `cat` of these files, each once, in this order.
fn cat<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let mut quoted: Vec<String> = Vec::new();
    for q in paths.map(quote) {
        if !quoted.contains(&q) {
            quoted.push(q);
        }
    }
    format!("cat {}", quoted.join(" "))
}

/// True for text a shell reads as one plain word.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c))
}

/// The text as one shell word: as it is when plain, else single-quoted.
pub fn quote(s: &str) -> String {
    if is_token(s) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "audit_distro_tests.rs"]
mod distro_tests;
