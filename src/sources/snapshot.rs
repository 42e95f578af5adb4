//! Snapshot clusters: a directory with `cluster.yaml` and, per node, a host
//! root to collect from or a facts file written by `cis-scan collect`.

use super::{ClusterSource, Gathered, NodeProgress};
use crate::engine::collect;
use crate::engine::facts::NodeFacts;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The demo cluster shipped in the binary: (file name, text).
pub const DEMO_SNAPSHOT: &[(&str, &str)] = &[
    (
        "cluster.yaml",
        include_str!("../../config/demo/cluster.yaml"),
    ),
    ("cp-1.json", include_str!("../../config/demo/cp-1.json")),
    (
        "worker-1.json",
        include_str!("../../config/demo/worker-1.json"),
    ),
];

/// `cluster.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterFile {
    pub kubernetes_version: String,
    #[serde(default)]
    pub provider: Option<String>,
    pub nodes: Vec<NodeEntry>,
}

impl ClusterFile {
    /// Parses and checks `cluster.yaml` of the snapshot at `location`; every
    /// failure is [`Error::Config`] naming the snapshot.
    pub fn parse(location: &str, text: &str) -> Result<Self> {
        let cluster: ClusterFile = serde_saphyr::from_str(text)
            .map_err(|e| Error::Config(format!("snapshot {location}/cluster.yaml: {e}")))?;
        for n in &cluster.nodes {
            if n.facts.is_some() == n.host_root.is_some() {
                return Err(Error::Config(format!(
                    "snapshot {location}: node '{}' needs exactly one of facts or hostRoot",
                    n.name
                )));
            }
        }
        if cluster.nodes.is_empty() {
            return Err(Error::Config(format!("snapshot {location}: no nodes")));
        }
        if let Some(p) = cluster.provider.as_deref() {
            if crate::sources::live::discovery::Provider::parse(p).is_none() {
                return Err(Error::Config(format!(
                    "snapshot {location}/cluster.yaml: unknown provider '{p}' (generic, kubeadm, rke2, k3s, eks, gke or aks)"
                )));
            }
        }
        Ok(cluster)
    }
}

/// One node of a snapshot.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeEntry {
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub os: Option<String>,
    /// A facts file, relative to the snapshot directory.
    #[serde(default)]
    pub facts: Option<String>,
    /// A host root to collect from, relative to the snapshot directory.
    #[serde(default)]
    pub host_root: Option<String>,
    /// The proc directory for the host root (default: none, so no processes).
    #[serde(default)]
    pub proc: Option<String>,
}

/// A snapshot on disk or built in.
#[derive(Debug, Clone)]
pub struct SnapshotSource {
    location: String,
    dir: Option<PathBuf>,
    cluster: ClusterFile,
}

impl SnapshotSource {
    /// Opens `builtin:demo` or a directory; checks cluster.yaml at once so bad config stops start-up.
    pub fn open(location: &str) -> Result<Self> {
        let (dir, text) = if location == "builtin:demo" {
            (None, DEMO_SNAPSHOT[0].1.to_string())
        } else {
            let dir = PathBuf::from(location);
            let file = dir.join("cluster.yaml");
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Error::Config(format!("snapshot {}: {e}", file.display())))?;
            (Some(dir), text)
        };
        let cluster = ClusterFile::parse(location, &text)?;
        Ok(SnapshotSource {
            location: location.to_string(),
            dir,
            cluster,
        })
    }

    fn path(&self, rel: &str) -> PathBuf {
        let p = Path::new(rel);
        match &self.dir {
            Some(d) if p.is_relative() => d.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn read_facts(&self, node: &NodeEntry, file: &str) -> NodeFacts {
        let text = if self.dir.is_none() {
            DEMO_SNAPSHOT
                .iter()
                .find(|(n, _)| *n == file)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| format!("{file} is not in the built-in demo"))
        } else {
            std::fs::read_to_string(self.path(file)).map_err(|e| format!("{file}: {e}"))
        };
        let parsed = text.and_then(|t| {
            serde_json::from_str::<NodeFacts>(&t).map_err(|e| format!("{file}: {e}"))
        });
        match parsed {
            Ok(mut f) => {
                f.node = node.name.clone();
                f
            }
            Err(e) => {
                NodeFacts::failed(&node.name, format!("could not read the node's facts: {e}"))
            }
        }
    }
}

#[async_trait::async_trait]
impl ClusterSource for SnapshotSource {
    fn describe(&self) -> String {
        format!("snapshot {}", self.location)
    }

    fn kubernetes_version(&self) -> Option<String> {
        Some(self.cluster.kubernetes_version.clone())
    }

    fn kind(&self) -> super::SourceKind {
        super::SourceKind::Snapshot
    }

    async fn gather(&self, _scan: uuid::Uuid, progress: NodeProgress<'_>) -> Result<Gathered> {
        let total = self.cluster.nodes.len();
        let mut nodes = Vec::with_capacity(total);
        let mut excluded = Vec::new();
        for (i, n) in self.cluster.nodes.iter().enumerate() {
            progress(i, total, &format!("collecting {}", n.name));
            if n.os
                .as_deref()
                .is_some_and(|os| !os.eq_ignore_ascii_case("linux"))
            {
                excluded.push((
                    n.name.clone(),
                    format!(
                        "{} nodes cannot be scanned",
                        n.os.as_deref().unwrap_or_default()
                    ),
                ));
                progress(i + 1, total, &format!("excluded {}", n.name));
                continue;
            }
            let facts = if let Some(f) = &n.facts {
                self.read_facts(n, f)
            } else {
                let root = self.path(n.host_root.as_deref().unwrap_or_default());
                let proc_root = n
                    .proc
                    .as_deref()
                    .map(|p| self.path(p))
                    .unwrap_or_else(|| root.join("proc"));
                let name = n.name.clone();
                tokio::task::spawn_blocking(move || {
                    if !root.is_dir() {
                        return NodeFacts::failed(
                            &name,
                            format!("host root {} does not exist", root.display()),
                        );
                    }
                    collect::collect(&collect::Options {
                        host_root: root,
                        proc_root,
                        node_name: Some(name),
                    })
                })
                .await
                .map_err(|e| Error::Internal(format!("collector task: {e}")))?
            };
            let mut facts = facts;
            facts.roles = n.roles.clone();
            nodes.push(facts);
            progress(i + 1, total, &format!("collected {}", n.name));
        }
        Ok(Gathered {
            kubernetes_version: Some(self.cluster.kubernetes_version.clone()),
            // checked at load; "kubeadm" is reported as the generic provider it is
            provider: Some(
                self.cluster
                    .provider
                    .as_deref()
                    .and_then(super::live::discovery::Provider::parse)
                    .unwrap_or_default(),
            ),
            nodes,
            excluded,
            cluster: None,
            mode: Some(crate::engine::report::ReadMode::Snapshot),
            managed_by: None,
        })
    }
}
