//! What the API server's configuration files say, as facts: the encryption
//! configuration (provider names, never keys), the audit policy (kind and rule
//! levels) and the admission configuration (plugins, EventRateLimit's limits).
//! Part of the node facts document (`facts.rs` re-exports them).

use serde::{Deserialize, Serialize};

/// What became of reading a configuration file a component names.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ContentStatus {
    /// Read and parsed; the facts beside it describe the content.
    #[default]
    Parsed,
    /// Neither on the host nor inside the component's container.
    NotFound,
    /// There but not readable (permissions, too large, not UTF-8).
    Unreadable,
    /// Read but not valid YAML/JSON; the error gives line and column only.
    Malformed,
}

/// The API server's EncryptionConfiguration, without any key material.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionFacts {
    pub path: String,
    /// Absent in facts written before content states were recorded: derived from `error` then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ContentStatus>,
    /// Provider names for secrets, in order (the first entry covering secrets wins);
    /// the first provider encrypts new writes. Empty when no entry covers secrets.
    #[serde(default)]
    pub secret_providers: Vec<String>,
    /// Every resource list of the file, in order: what it covers and its providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<EncryptionResourceFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl EncryptionFacts {
    /// The reading state, also for facts written before it was recorded.
    pub fn status(&self) -> ContentStatus {
        content_status(self.status, &self.error)
    }
}

/// One entry of an EncryptionConfiguration's `resources` list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionResourceFacts {
    /// Resources as written (`secrets`, `*.apps`, `*.`, `*.*`).
    pub resources: Vec<String>,
    /// Providers in order: aescbc, aesgcm, secretbox, identity, or kms with its apiVersion (`kms v2`).
    pub providers: Vec<String>,
}

/// The audit policy file the API server's --audit-policy-file names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditPolicyFacts {
    pub path: String,
    pub status: ContentStatus,
    /// `apiVersion` and `kind` as written (a Policy is audit.k8s.io/v1 Policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The level of each rule, in order (None, Metadata, Request, RequestResponse).
    #[serde(default)]
    pub rule_levels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The AdmissionConfiguration the API server's --admission-control-config-file names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionConfigFacts {
    pub path: String,
    pub status: ContentStatus,
    /// Plugin names configured in the file, in order.
    #[serde(default)]
    pub plugins: Vec<String>,
    /// EventRateLimit's configuration, when the file configures that plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_rate_limit: Option<EventRateLimitFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// EventRateLimit's configuration (inline or in the file its `path` names).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EventRateLimitFacts {
    /// Where it was read: "inline" or the file's path.
    pub source: String,
    pub status: ContentStatus,
    /// Each limit as `Type qps=Q burst=B`.
    #[serde(default)]
    pub limits: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// True when an EncryptionConfiguration resource entry applies to core `secrets`,
/// as the API server matches them: by name, or by the core-group (`*.`) or
/// everything (`*.*`) wildcard.
pub fn covers_secrets(resource: &str) -> bool {
    matches!(resource.trim(), "secrets" | "secrets." | "*." | "*.*")
}

fn content_status(status: Option<ContentStatus>, error: &Option<String>) -> ContentStatus {
    match (status, error) {
        (Some(s), _) => s,
        (None, Some(_)) => ContentStatus::Unreadable,
        (None, None) => ContentStatus::Parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_covered_by_name_and_by_core_or_global_wildcards_only() {
        for r in ["secrets", "*.", "*.*"] {
            assert!(covers_secrets(r), "{r}");
        }
        for r in ["configmaps", "*.apps", "secrets.apps", "pods"] {
            assert!(!covers_secrets(r), "{r}");
        }
    }

    #[test]
    fn old_encryption_facts_without_a_status_read_as_before() {
        let old: EncryptionFacts =
            serde_json::from_str(r#"{"path":"/e.yaml","secretProviders":["aescbc"]}"#).unwrap();
        assert_eq!(old.status(), ContentStatus::Parsed);
        let failed: EncryptionFacts =
            serde_json::from_str(r#"{"path":"/e.yaml","error":"denied"}"#).unwrap();
        assert_eq!(failed.status(), ContentStatus::Unreadable);
    }
}
