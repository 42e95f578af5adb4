//! What a kubeconfig that comes through the API may contain.
//!
//! A kubeconfig can make its reader run commands (`exec`, `auth-provider`), read
//! files (`tokenFile`, `client-certificate`, `certificate-authority`, ...) or send
//! traffic elsewhere (`proxy-url`). Kubeconfigs from API clients are checked
//! against an allowlist before any client is built, any process runs, any file is
//! read or anything is stored, and only the checked fields are rebuilt into the
//! kubeconfig kube sees, so the YAML reader and kube can never disagree on what
//! was allowed. Kubeconfigs named in the configuration file are the operator's own
//! and do not pass through here.

use super::kubeconfig_url::check_server;
use crate::error::{shown, Error, Result};
use serde_json::{Map, Value};

/// Largest kubeconfig accepted (bytes): real ones with certificates are a few KB,
/// and it stays below the request body limit (`server.max_body_bytes`, 256 KiB) so the
/// API answers with this clear message rather than 413.
pub const MAX_KUBECONFIG_BYTES: usize = 128 * 1024;

/// A kubeconfig that passed the policy, holding only accepted fields.
#[derive(Debug, Clone)]
pub struct CheckedKubeconfig(Value);

impl CheckedKubeconfig {
    /// The kubeconfig as kube reads it.
    pub fn kubeconfig(&self) -> Result<kube::config::Kubeconfig> {
        serde_json::from_value(self.0.clone())
            .map_err(|e| Error::Invalid(format!("kubeconfig: {e}")))
    }

    /// The checked kubeconfig as JSON text (what is sealed and stored).
    pub fn to_json(&self) -> String {
        self.0.to_string()
    }

    /// Each cluster's `server` with where it is (`clusters[i].cluster.server`).
    pub fn servers(&self) -> Vec<(String, String)> {
        let clusters = self.0["clusters"].as_array().into_iter().flatten();
        clusters
            .enumerate()
            .filter_map(|(i, c)| {
                let server = c["cluster"]["server"].as_str()?;
                Some((format!("clusters[{i}].cluster.server"), server.to_string()))
            })
            .collect()
    }

    /// Makes `context` the current one; it must be one of the kubeconfig's contexts.
    pub fn with_current_context(mut self, context: &str) -> Result<Self> {
        if !names(&self.0, "contexts").any(|n| n == context) {
            return Err(Error::Invalid(format!(
                "context: the kubeconfig has no context named '{}'",
                shown(context)
            )));
        }
        self.0["current-context"] = Value::String(context.to_string());
        Ok(self)
    }
}

/// Checks a kubeconfig from an API client and keeps only what is allowed.
/// Errors are BAD_USER_INPUT naming the field and where it is; never its value.
pub fn check(text: &str) -> Result<CheckedKubeconfig> {
    if text.len() > MAX_KUBECONFIG_BYTES {
        return Err(Error::Invalid(format!(
            "kubeconfig: {} bytes is more than the {MAX_KUBECONFIG_BYTES} accepted",
            text.len()
        )));
    }
    let doc: Value = serde_saphyr::from_str(text).map_err(|e| {
        // the parser's own message may quote the input (a token): say only where
        let at = e
            .location()
            .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
            .unwrap_or_default();
        Error::Invalid(format!(
            "kubeconfig is not a single valid YAML document{at}"
        ))
    })?;
    let top = object(&doc, "kubeconfig")?;
    let mut out = Map::new();
    for (key, value) in top {
        match key.as_str() {
            "apiVersion" => expect_literal(value, key, "v1")?,
            "kind" => expect_literal(value, key, "Config")?,
            "current-context" => {
                out.insert(key.clone(), Value::String(string(value, key)?.into()));
            }
            "preferences" => {
                if !(value.is_null() || value.as_object().is_some_and(Map::is_empty)) {
                    return Err(refused("preferences", "only an empty `preferences: {}`"));
                }
            }
            "extensions" => {} // inert metadata (minikube writes it): accepted and dropped
            "clusters" => {
                out.insert(key.clone(), named_list(value, key, "cluster", cluster)?);
            }
            "users" => {
                out.insert(key.clone(), named_list(value, key, "user", user)?);
            }
            "contexts" => {
                out.insert(key.clone(), named_list(value, key, "context", context)?);
            }
            other => return Err(refused(&shown(other), UNKNOWN)),
        }
    }
    out.insert("apiVersion".into(), "v1".into());
    out.insert("kind".into(), "Config".into());
    let checked = Value::Object(out);
    references(&checked)?;
    Ok(CheckedKubeconfig(checked))
}

const UNKNOWN: &str = "it is not one of the fields accepted through the API (server, certificate-authority-data, tls-server-name, client-certificate-data, client-key-data, token, contexts)";
const FILE: &str =
    "it names a file on the server; send the content inline (the `-data` field) instead";
const COMMAND: &str = "it would run a command on the server; use a token or client certificate (exec plugins are allowed only in kubeconfigs named in the configuration file)";

fn refused(at: &str, why: &str) -> Error {
    Error::Invalid(format!("{at} is not accepted through the API: {why}"))
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| Error::Invalid(format!("{at} must be a mapping")))
}

fn string<'a>(v: &'a Value, at: &str) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| Error::Invalid(format!("{at} must be a string")))
}

fn expect_literal(v: &Value, at: &str, want: &str) -> Result<()> {
    match v.as_str() {
        Some(s) if s == want => Ok(()),
        _ => Err(Error::Invalid(format!("{at} must be '{want}'"))),
    }
}

/// Checks the fields of one entry's body (at the path given) and keeps the accepted ones.
type FieldCheck = fn(&Map<String, Value>, &str) -> Result<Map<String, Value>>;

/// `clusters`, `users` or `contexts`: a list of `{name, <inner>: {...}}`.
fn named_list(v: &Value, list: &str, inner: &str, fields: FieldCheck) -> Result<Value> {
    let items = v
        .as_array()
        .ok_or_else(|| Error::Invalid(format!("{list} must be a list")))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{list}[{i}]");
        let mut name = None;
        let mut body = None;
        for (key, value) in object(item, &at)? {
            match key.as_str() {
                "name" => name = Some(string(value, &format!("{at}.name"))?),
                k if k == inner => {
                    let at = format!("{at}.{inner}");
                    body = Some(fields(object(value, &at)?, &at)?);
                }
                other => return Err(refused(&format!("{at}.{}", shown(other)), UNKNOWN)),
            }
        }
        let name = name.ok_or_else(|| Error::Invalid(format!("{at}.name is missing")))?;
        let body = body.ok_or_else(|| Error::Invalid(format!("{at}.{inner} is missing")))?;
        out.push(serde_json::json!({ "name": name, inner: body }));
    }
    Ok(Value::Array(out))
}

fn cluster(m: &Map<String, Value>, at: &str) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in m {
        let here = format!("{at}.{}", shown(key));
        match key.as_str() {
            "server" => {
                check_server(string(value, &here)?, &here)?;
                out.insert(key.clone(), value.clone());
            }
            "certificate-authority-data" | "tls-server-name" => {
                out.insert(key.clone(), Value::String(string(value, &here)?.into()));
            }
            "insecure-skip-tls-verify" => match value.as_bool() {
                Some(false) => {}
                Some(true) => {
                    return Err(refused(
                        &here,
                        "TLS must be verified; send certificate-authority-data instead",
                    ))
                }
                None => return Err(Error::Invalid(format!("{here} must be a boolean"))),
            },
            "extensions" => {}
            "certificate-authority" => return Err(refused(&here, FILE)),
            "proxy-url" => {
                return Err(refused(
                    &here,
                    "it would send the cluster's traffic through another host",
                ))
            }
            _ => return Err(refused(&here, UNKNOWN)),
        }
    }
    if !out.contains_key("server") {
        return Err(Error::Invalid(format!("{at}.server is missing")));
    }
    Ok(out)
}

fn user(m: &Map<String, Value>, at: &str) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in m {
        let here = format!("{at}.{}", shown(key));
        match key.as_str() {
            "client-certificate-data" | "client-key-data" | "token" => {
                out.insert(key.clone(), Value::String(string(value, &here)?.into()));
            }
            "extensions" => {}
            "exec" | "auth-provider" => return Err(refused(&here, COMMAND)),
            "tokenFile" | "client-certificate" | "client-key" => return Err(refused(&here, FILE)),
            "username" | "password" => {
                return Err(refused(
                    &here,
                    "basic authentication is not accepted; use a token or client certificate",
                ))
            }
            "as" | "as-uid" | "as-groups" | "as-user-extra" => return Err(refused(
                &here,
                "impersonation is not accepted; register a kubeconfig for the identity to scan as",
            )),
            _ => return Err(refused(&here, UNKNOWN)),
        }
    }
    Ok(out)
}

fn context(m: &Map<String, Value>, at: &str) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in m {
        let here = format!("{at}.{}", shown(key));
        match key.as_str() {
            "cluster" | "user" | "namespace" => {
                out.insert(key.clone(), Value::String(string(value, &here)?.into()));
            }
            "extensions" => {}
            _ => return Err(refused(&here, UNKNOWN)),
        }
    }
    if !out.contains_key("cluster") {
        return Err(Error::Invalid(format!("{at}.cluster is missing")));
    }
    Ok(out)
}

fn names<'a>(kc: &'a Value, list: &str) -> impl Iterator<Item = &'a str> {
    kc[list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["name"].as_str())
}

/// Every context names a cluster and user that exist; current-context names a context.
fn references(kc: &Value) -> Result<()> {
    if names(kc, "contexts").next().is_none() {
        return Err(Error::Invalid(
            "kubeconfig: contexts is missing or empty".into(),
        ));
    }
    for (i, c) in kc["contexts"].as_array().into_iter().flatten().enumerate() {
        for (field, list) in [("cluster", "clusters"), ("user", "users")] {
            if let Some(want) = c["context"][field].as_str() {
                if !names(kc, list).any(|n| n == want) {
                    return Err(Error::Invalid(format!(
                        "contexts[{i}].context.{field} names '{}', which is not in {list}",
                        shown(want)
                    )));
                }
            }
        }
    }
    if let Some(cur) = kc["current-context"].as_str() {
        if !names(kc, "contexts").any(|n| n == cur) {
            return Err(Error::Invalid(format!(
                "current-context names '{}', which is not in contexts",
                shown(cur)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "kubeconfig_policy_tests.rs"]
mod tests;
