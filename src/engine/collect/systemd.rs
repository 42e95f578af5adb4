//! Reads a systemd service unit and its drop-ins the way systemd would
//! (for the settings cis-scan needs): Environment=, EnvironmentFile=,
//! ExecStart= with variables expanded, and other [Service] directives.

use super::host::Host;
use crate::engine::facts::UnitFacts;
use std::collections::{BTreeMap, HashMap};

/// Where unit files live, most specific first.
const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// Reads `name` (e.g. "kubelet.service") and its drop-ins. None when no file exists.
pub fn read_unit(host: &Host, name: &str) -> Option<UnitFacts> {
    let main = UNIT_DIRS
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| host.exists(p));
    // Drop-ins from every directory apply, ordered by file name.
    let mut drop_ins: Vec<(String, String)> = Vec::new();
    for d in UNIT_DIRS {
        let dir = format!("{d}/{name}.d");
        if let Ok(rd) = std::fs::read_dir(host.path(&dir)) {
            for e in rd.flatten() {
                let file = e.file_name().to_string_lossy().into_owned();
                if file.ends_with(".conf") && !drop_ins.iter().any(|(f, _)| *f == file) {
                    drop_ins.push((file.clone(), format!("{dir}/{file}")));
                }
            }
        }
    }
    if main.is_none() && drop_ins.is_empty() {
        return None;
    }
    drop_ins.sort();
    let paths: Vec<String> = main
        .into_iter()
        .chain(drop_ins.into_iter().map(|(_, p)| p))
        .collect();
    let mut unit = UnitFacts {
        paths: paths.clone(),
        ..Default::default()
    };
    let mut env: HashMap<String, String> = HashMap::new();
    let mut exec: Option<String> = None;
    let mut directives = BTreeMap::new();
    for path in &paths {
        let text = match host.read(path) {
            Ok(t) => t,
            Err(e) => {
                unit.error = Some(format!("{path}: {e}"));
                return Some(unit);
            }
        };
        for (key, value) in service_lines(&text) {
            match key.as_str() {
                "Environment" => {
                    for word in split_words(&value) {
                        if let Some((k, v)) = word.split_once('=') {
                            env.insert(k.to_string(), v.to_string());
                        }
                    }
                }
                "EnvironmentFile" => {
                    let (optional, file) = match value.strip_prefix('-') {
                        Some(f) => (true, f.trim()),
                        None => (false, value.trim()),
                    };
                    match host.read(file) {
                        Ok(t) => env.extend(env_file(&t)),
                        Err(e) if !optional => {
                            unit.error = Some(format!("EnvironmentFile {file}: {e}"))
                        }
                        Err(_) => {}
                    }
                }
                "ExecStart" => {
                    exec = if value.trim().is_empty() {
                        None
                    } else {
                        Some(value)
                    }
                }
                _ => {
                    directives.insert(key, value);
                }
            }
        }
    }
    if let Some(cmd) = exec {
        let cmd = cmd.trim_start_matches(['-', '@', '+', '!', ':']);
        unit.args = split_words(&expand(cmd, &env));
    }
    unit.directives = directives;
    Some(unit)
}

/// (key, value) pairs of the [Service] section, with continuation lines joined.
fn service_lines(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_service = false;
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if let Some(stripped) = line.strip_suffix('\\') {
            pending.push_str(stripped);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        let t = full.trim();
        if t.starts_with('[') {
            in_service = t == "[Service]";
        } else if in_service && !t.starts_with('#') && !t.starts_with(';') {
            if let Some((k, v)) = t.split_once('=') {
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    out
}

/// KEY=VALUE lines of an environment file (quotes removed, comments skipped).
pub fn env_file(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((
                k.trim().to_string(),
                v.trim().trim_matches('"').trim_matches('\'').to_string(),
            ))
        })
        .collect()
}

/// Expands $VAR and ${VAR}; unknown variables expand to nothing, as in systemd.
fn expand(s: &str, env: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && i + 1 < chars.len() {
            let (name, next) = if chars[i + 1] == '{' {
                let end = chars[i + 2..]
                    .iter()
                    .position(|c| *c == '}')
                    .map(|p| p + i + 2);
                match end {
                    Some(e) => (chars[i + 2..e].iter().collect::<String>(), e + 1),
                    None => (String::new(), i + 1),
                }
            } else {
                let len = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .count();
                (chars[i + 1..i + 1 + len].iter().collect(), i + 1 + len)
            };
            if !name.is_empty() {
                out.push_str(env.get(&name).map(String::as_str).unwrap_or(""));
                i = next;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Splits on whitespace, honouring double and single quotes.
pub fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    words
}
