//! The node facts document: what `cis-scan collect` prints and the evaluator reads.
//!
//! It records what was seen on one node, never a verdict. Anything that could
//! not be read is kept as an error next to the place it was looked for, so the
//! evaluator can report ERROR instead of guessing.

use crate::engine::error::{EngineError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// What the API server's configuration files say (encryption, audit policy,
// admission): facts of their own, kept beside the node's in `content_facts`.
pub use super::content_facts::*;

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
    /// and checks its schema version; every failure is [`EngineError::Facts`].
    pub fn from_json(origin: &std::path::Path, text: &str) -> Result<Self> {
        let facts: NodeFacts = serde_json::from_str(text).map_err(|e| EngineError::Facts {
            path: origin.into(),
            message: e.to_string(),
            source: Some(e),
        })?;
        if facts.schema_version != SCHEMA_VERSION {
            return Err(EngineError::Facts {
                path: origin.into(),
                message: format!(
                    "schemaVersion {} is not supported (this cis-scan reads {SCHEMA_VERSION})",
                    facts.schema_version
                ),
                source: None,
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
