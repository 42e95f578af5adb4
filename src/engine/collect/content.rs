//! Reads the configuration files the API server names whose content the
//! benchmark asks about: the encryption configuration, the audit policy and the
//! admission configuration. Only what a verdict needs is kept: never key
//! material, and parse errors carry a line and column, never the file's text.

use super::host::Host;
use crate::engine::facts::*;
use serde_json::Value;
use std::io::{ErrorKind, Read};

/// Larger files are refused: these configurations are a few kilobytes.
const MAX_CONTENT_BYTES: u64 = 1024 * 1024;

/// A file that could not be turned into a document, and why.
type Failure = (ContentStatus, String);

/// Reads and parses a file a process names: on the host first, then inside the
/// process's own root (/proc/PID/root). Returns the document and where it was read.
fn read_doc(host: &Host, pid: Option<u32>, path: &str) -> Result<(Value, String), Failure> {
    let text = match read_limited(&host.path(path)) {
        Ok(t) => (t, path.to_string()),
        Err(ErrorKind::NotFound) => {
            let inner = pid.map(|pid| {
                let local = host
                    .proc_root()
                    .join(pid.to_string())
                    .join("root")
                    .join(path.trim_start_matches('/'));
                (read_limited(&local), pid)
            });
            match inner {
                Some((Ok(t), pid)) => (t, format!("{path} (in the container of process {pid})")),
                Some((Err(kind), _)) if kind != ErrorKind::NotFound => {
                    return Err(unreadable(path, kind))
                }
                _ => return Err((ContentStatus::NotFound, format!("file not found: {path}"))),
            }
        }
        Err(kind) => return Err(unreadable(path, kind)),
    };
    parse_content(&text.0)
        .map(|v| (v, text.1))
        .map_err(|e| (ContentStatus::Malformed, format!("{path}: {e}")))
}

fn unreadable(path: &str, kind: ErrorKind) -> Failure {
    let why = match kind {
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::InvalidData => "not UTF-8 text".to_string(),
        ErrorKind::FileTooLarge => format!("larger than {MAX_CONTENT_BYTES} bytes"),
        other => other.to_string(),
    };
    (
        ContentStatus::Unreadable,
        format!("file unreadable: {path}: {why}"),
    )
}

fn read_limited(local: &std::path::Path) -> Result<String, ErrorKind> {
    let file = std::fs::File::open(local).map_err(|e| e.kind())?;
    if file.metadata().map_err(|e| e.kind())?.is_dir() {
        return Err(ErrorKind::IsADirectory);
    }
    let mut text = String::new();
    file.take(MAX_CONTENT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.kind())?;
    if text.len() as u64 > MAX_CONTENT_BYTES {
        return Err(ErrorKind::FileTooLarge);
    }
    Ok(text)
}

/// Parses YAML or JSON. The error says where, never what: the text may hold keys.
pub fn parse_content(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| match e.location() {
        Some(l) => format!(
            "malformed YAML (parse error at line {}, column {})",
            l.line(),
            l.column()
        ),
        None => "malformed YAML (parse error)".to_string(),
    })
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The provider's name, with kms's apiVersion (v1 when not given).
fn provider_name(p: &Value) -> Option<String> {
    let (name, body) = p.as_object()?.iter().next()?;
    Some(if name == "kms" {
        format!("kms {}", str_at(body, "apiVersion").unwrap_or("v1"))
    } else {
        name.clone()
    })
}

/// The encryption configuration: per resource list what it covers and its providers.
pub fn encryption(host: &Host, pid: Option<u32>, path: &str) -> EncryptionFacts {
    let mut e = EncryptionFacts {
        path: path.to_string(),
        status: Some(ContentStatus::Parsed),
        ..Default::default()
    };
    let doc = match read_doc(host, pid, path) {
        Ok((doc, shown)) => {
            e.path = shown;
            doc
        }
        Err((status, msg)) => {
            e.status = Some(status);
            e.error = Some(msg);
            return e;
        }
    };
    read_encryption(&mut e, &doc);
    e
}

/// Fills in what an EncryptionConfiguration document says about each resource list.
pub fn read_encryption(e: &mut EncryptionFacts, doc: &Value) {
    e.resources = list(doc, "resources")
        .iter()
        .map(|r| EncryptionResourceFacts {
            resources: list(r, "resources")
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
            providers: list(r, "providers")
                .iter()
                .filter_map(provider_name)
                .collect(),
        })
        .collect();
    // earlier resource lists take precedence, as in the API server
    e.secret_providers = e
        .resources
        .iter()
        .find(|r| r.resources.iter().any(|s| covers_secrets(s)))
        .map(|r| r.providers.clone())
        .unwrap_or_default();
}

/// The audit policy: its kind and the level of each rule.
pub fn audit_policy(host: &Host, pid: Option<u32>, path: &str) -> AuditPolicyFacts {
    let mut a = AuditPolicyFacts {
        path: path.to_string(),
        ..Default::default()
    };
    match read_doc(host, pid, path) {
        Ok((doc, shown)) => {
            a.path = shown;
            read_audit_policy(&mut a, &doc);
        }
        Err((status, msg)) => {
            a.status = status;
            a.error = Some(msg);
        }
    }
    a
}

/// Fills in an audit Policy document's kind and the level of each rule.
pub fn read_audit_policy(a: &mut AuditPolicyFacts, doc: &Value) {
    a.api_version = str_at(doc, "apiVersion").map(str::to_string);
    a.kind = str_at(doc, "kind").map(str::to_string);
    a.rule_levels = list(doc, "rules")
        .iter()
        .map(|r| str_at(r, "level").unwrap_or("").to_string())
        .collect();
}

/// The admission configuration: which plugins it configures, and EventRateLimit's limits.
pub fn admission_config(host: &Host, pid: Option<u32>, path: &str) -> AdmissionConfigFacts {
    let mut a = AdmissionConfigFacts {
        path: path.to_string(),
        ..Default::default()
    };
    let doc = match read_doc(host, pid, path) {
        Ok((doc, shown)) => {
            a.path = shown;
            doc
        }
        Err((status, msg)) => {
            a.status = status;
            a.error = Some(msg);
            return a;
        }
    };
    for plugin in list(&doc, "plugins") {
        let name = str_at(plugin, "name").unwrap_or("").to_string();
        if name == "EventRateLimit" && a.event_rate_limit.is_none() {
            a.event_rate_limit = Some(event_rate_limit(host, pid, path, plugin));
        }
        a.plugins.push(name);
    }
    a
}

/// EventRateLimit's limits, from `configuration` or from the file `path` names
/// (relative to the admission configuration's directory, as the API server reads it).
fn event_rate_limit(
    host: &Host,
    pid: Option<u32>,
    config: &str,
    plugin: &Value,
) -> EventRateLimitFacts {
    let mut f = EventRateLimitFacts {
        source: "inline".into(),
        ..Default::default()
    };
    let doc = match (plugin.get("configuration"), str_at(plugin, "path")) {
        (Some(inline), _) => inline.clone(),
        (None, Some(p)) => {
            let full = if p.starts_with('/') {
                p.to_string()
            } else {
                let dir = std::path::Path::new(config)
                    .parent()
                    .map(|d| d.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("{}/{p}", dir.trim_end_matches('/'))
            };
            f.source = full.clone();
            match read_doc(host, pid, &full) {
                Ok((doc, shown)) => {
                    f.source = shown;
                    doc
                }
                Err((status, msg)) => {
                    f.status = status;
                    f.error = Some(msg);
                    return f;
                }
            }
        }
        (None, None) => Value::Null,
    };
    f.limits = list(&doc, "limits")
        .iter()
        .map(|l| {
            let num = |k: &str| {
                l.get(k)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "?".into())
            };
            format!(
                "{} qps={} burst={}",
                str_at(l, "type").unwrap_or("?"),
                num("qps"),
                num("burst")
            )
        })
        .collect();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_line_and_column_but_not_the_text() {
        let err = parse_content("resources:\n  - secret: c2VjcmV0\n   bad: [").unwrap_err();
        assert!(err.contains("line"), "{err}");
        assert!(!err.contains("c2VjcmV0"), "{err}");
    }

    #[test]
    fn kms_provider_names_carry_the_api_version() {
        let v: Value = serde_json::json!({"kms": {"apiVersion": "v2", "name": "k"}});
        assert_eq!(provider_name(&v).as_deref(), Some("kms v2"));
        let v1: Value = serde_json::json!({"kms": {"name": "k"}});
        assert_eq!(provider_name(&v1).as_deref(), Some("kms v1"));
    }
}
