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
}

/// Arguments read from a file (a static pod manifest).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArgsFacts {
    pub path: String,
    #[serde(default)]
    pub args: Vec<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Files found for one logical name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileFacts {
    /// Every path that was looked at, found or not.
    #[serde(default)]
    pub tried: Vec<String>,
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

/// The API server's EncryptionConfiguration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionFacts {
    pub path: String,
    /// Provider names for secrets, in order; the first one encrypts new writes.
    #[serde(default)]
    pub secret_providers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
