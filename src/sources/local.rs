//! Sources for `cis-scan check` without a cluster API: facts files written by
//! `cis-scan collect`, and this node collected where the command runs. They
//! plug into the same pipeline as the service's sources.

use super::{ClusterSource, Gathered, NodeProgress};
use crate::engine::collect;
use crate::engine::facts::NodeFacts;
use crate::engine::report::ReadMode;
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Reads a facts document and checks its schema version.
pub fn read_facts(path: &std::path::Path) -> Result<NodeFacts> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(NodeFacts::from_json(path, &text)?)
}

/// Nodes whose facts were collected earlier, one file each.
#[derive(Debug, Clone)]
pub struct FactsFilesSource {
    pub files: Vec<PathBuf>,
}

#[async_trait::async_trait]
impl ClusterSource for FactsFilesSource {
    fn describe(&self) -> String {
        format!("facts files ({})", self.files.len())
    }

    fn kubernetes_version(&self) -> Option<String> {
        None
    }

    async fn gather(&self, _scan: uuid::Uuid, progress: NodeProgress<'_>) -> Result<Gathered> {
        let total = self.files.len();
        let mut nodes = Vec::with_capacity(total);
        for (i, file) in self.files.iter().enumerate() {
            let facts = read_facts(file)?;
            progress(i + 1, total, &format!("read node {}", facts.node));
            nodes.push(facts);
        }
        Ok(Gathered {
            nodes,
            mode: Some(ReadMode::Facts),
            ..Default::default()
        })
    }
}

/// The node the command runs on, read from its filesystem and /proc.
#[derive(Debug, Clone)]
pub struct LocalNodeSource {
    pub options: collect::Options,
}

#[async_trait::async_trait]
impl ClusterSource for LocalNodeSource {
    fn describe(&self) -> String {
        format!("this node ({})", self.options.host_root.display())
    }

    fn kubernetes_version(&self) -> Option<String> {
        None
    }

    async fn gather(&self, _scan: uuid::Uuid, progress: NodeProgress<'_>) -> Result<Gathered> {
        let options = self.options.clone();
        let facts = tokio::task::spawn_blocking(move || collect::collect(&options))
            .await
            .map_err(|e| Error::Internal(format!("collection task: {e}")))?;
        progress(1, 1, &format!("collected node {}", facts.node));
        Ok(Gathered {
            nodes: vec![facts],
            mode: Some(ReadMode::Local),
            ..Default::default()
        })
    }
}
