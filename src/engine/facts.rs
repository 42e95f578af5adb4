//! The node facts document: what `cis-scan collect` prints and the evaluator reads.
//!
//! It records what was seen on one node, never a verdict. Anything that could
//! not be read is kept as an error next to the place it was looked for, so the
//! evaluator can report ERROR instead of guessing.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the facts document layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Logical names of the files and directories the collector looks for.
/// Benchmark rules refer to files by these names.
pub const FILE_KEYS: &[&str] = &[
    "apiserver-manifest",
    "controllermanager-manifest",
    "scheduler-manifest",
    "etcd-manifest",
    "etcd-data-dir",
    "admin-kubeconfig",
    "scheduler-kubeconfig",
    "controllermanager-kubeconfig",
    "pki",
    "cni-files",
    "kubelet-service",
    "kubelet-config",
    "kubelet-kubeconfig",
    "kubelet-ca",
    "proxy-kubeconfig",
    "azure-json",
];

/// Everything collected from one node.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeFacts {
    pub schema_version: u32,
    /// Node name (the host name when collected on the node itself).
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// Roles the node was declared or labelled with (control-plane, etcd, worker).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The Kubernetes version, when the node shows it (a control plane image tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// kubeadm, rke2, k3s or unknown: decides where files were looked for.
    #[serde(default)]
    pub distribution: String,
    /// Components keyed by short name: apiserver, controllermanager, scheduler, etcd, kubelet, proxy.
    #[serde(default)]
    pub components: BTreeMap<String, ComponentFacts>,
    /// Files keyed by the logical names in [`FILE_KEYS`].
    #[serde(default)]
    pub files: BTreeMap<String, FileFacts>,
    /// The API server's encryption configuration, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionFacts>,
    /// The API server's audit policy, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_policy: Option<AuditPolicyFacts>,
    /// The API server's admission configuration, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission_config: Option<AdmissionConfigFacts>,
    /// SHA-256 digests of the files checks compare (etcd's `--trusted-ca-file`, the API
    /// server's `--client-ca-file`), keyed by the path as the component names it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digests: BTreeMap<String, FileDigest>,
    /// True when collected without node access (agentless): files were not read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub agentless: bool,
    /// Set when the node could not be collected at all: every check on it is ERROR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_error: Option<String>,
    /// Problems that do not belong to one fact (an unreadable /proc, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl NodeFacts {
    /// Parses a facts document (`cis-scan collect` output) read from `origin`
    /// and checks its schema version; every failure is [`Error::Facts`].
    pub fn from_json(origin: &std::path::Path, text: &str) -> Result<Self> {
        let facts: NodeFacts = serde_json::from_str(text).map_err(|e| Error::Facts {
            path: origin.into(),
            message: e.to_string(),
        })?;
        if facts.schema_version != SCHEMA_VERSION {
            return Err(Error::Facts {
                path: origin.into(),
                message: format!(
                    "schemaVersion {} is not supported (this cis-scan reads {SCHEMA_VERSION})",
                    facts.schema_version
                ),
            });
        }
        Ok(facts)
    }

    /// Facts for a node that could not be collected.
    pub fn failed(node: &str, error: String) -> Self {
        NodeFacts {
            schema_version: SCHEMA_VERSION,
            node: node.to_string(),
            collection_error: Some(error),
            ..Default::default()
        }
    }
}

/// What was found about one component on the node.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ComponentFacts {
    /// The running process, when one was found in /proc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessFacts>,
    /// The static pod manifest's container command and args.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ArgsFacts>,
    /// The systemd unit and drop-ins (kubelet), with ExecStart expanded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitFacts>,
    /// The component's --config file, parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigFacts>,
    /// Set when the component runs inside another binary (k3s), whose own defaults are not visible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded_in: Option<String>,
    /// Set when the host binary's own arguments for the component are known
    /// (k3s's, from data): a flag it does not set takes the upstream default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub embedded_defaults_known: bool,
}

impl ComponentFacts {
    /// True when anything shows the component on this node.
    pub fn present(&self) -> bool {
        self.process.is_some()
            || self.config.is_some()
            || self.manifest.is_some()
            || self.unit.is_some()
            || self.embedded_in.is_some()
    }
}

/// A running process.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProcessFacts {
    pub pid: u32,
    /// argv as read from /proc/PID/cmdline.
    pub cmdline: Vec<String>,
    /// Environment variables that configure the component (ETCD_*, KUBE*), from /proc/PID/environ.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_error: Option<String>,
    /// Where flags of the command line came from, when a distribution built it
    /// from its configuration (RKE2's `kubelet-arg` entries); keyed by flag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub origins: BTreeMap<String, String>,
}

/// Arguments read from a file (a static pod manifest).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArgsFacts {
    pub path: String,
    #[serde(default)]
    pub args: Vec<String>,
    /// Where each flag's last value came from, when the arguments were
    /// assembled from several places (k3s: its own defaults, config.yaml(.d),
    /// its command line); keyed by flag (`--anonymous-auth`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub origins: BTreeMap<String, String>,
    /// The container image, whose tag tells the Kubernetes version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A systemd service unit with its drop-ins.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UnitFacts {
    /// The unit file and drop-ins read, in the order systemd applies them.
    pub paths: Vec<String>,
    /// ExecStart with its environment variables expanded, split into words.
    #[serde(default)]
    pub args: Vec<String>,
    /// Other [Service] settings (IPAddressDeny, ...); the last assignment wins.
    #[serde(default)]
    pub directives: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A component config file (KubeletConfiguration, KubeProxyConfiguration).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConfigFacts {
    pub path: String,
    /// Drop-in files merged over it (the kubelet's --config-dir), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop_ins: Vec<String>,
    /// True when there is no config file, only drop-ins (a kubelet with
    /// `--config-dir` and no `--config`): they merge over the flag defaults.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_ins_only: bool,
    /// The drop-in that set each field a drop-in set, by dotted key
    /// (`authentication.anonymous.enabled`); other fields come from `path`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub origins: BTreeMap<String, String>,
    /// Set when a bound (files, depth, bytes) stopped the reading of drop-ins:
    /// what was left unread. A field the file gives may then be overridden unseen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ConfigFacts {
    /// The drop-in that decided a dotted key: its own origin or its nearest
    /// enclosing field's. None: the key comes from the config file itself.
    pub fn origin_of(&self, key: &str) -> Option<&str> {
        let mut path = key;
        loop {
            if let Some(f) = self.origins.get(path) {
                return Some(f);
            }
            path = path.rsplit_once('.')?.0;
        }
    }
}

/// Files found for one logical name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileFacts {
    /// Every path that was looked at, found or not.
    #[serde(default)]
    pub tried: Vec<String>,
    /// What names the path on this node (`kubelet --kubeconfig`, a config
    /// file's field, the distribution's own argument). None when the paths
    /// tried are well-known locations guessed for the distribution: a file
    /// found nowhere then means "not configured here", not "missing".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_by: Option<String>,
    /// What was found (a directory's contents are listed too).
    #[serde(default)]
    pub entries: Vec<FileEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Mode and ownership of one file or directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    pub path: String,
    /// "file", "dir" or "other".
    pub kind: String,
    /// Permission bits in octal, e.g. "600".
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
    /// User name from the host's /etc/passwd, or the uid when it has none.
    #[serde(default)]
    pub user: String,
    /// Group name from the host's /etc/group, or the gid when it has none.
    #[serde(default)]
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A file's SHA-256 digest, never its content; or why it could not be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileDigest {
    /// Lowercase hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

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
