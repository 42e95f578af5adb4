//! Where a cluster's node facts come from. Snapshot sources read files;
//! live clusters (through the Kubernetes API) plug in behind the same trait.

mod snapshot;

pub use snapshot::{SnapshotSource, DEMO_SNAPSHOT};

use crate::error::Result;
use crate::facts::NodeFacts;

/// What a source reports while it works: (nodes done, nodes total, message).
pub type NodeProgress<'a> = &'a (dyn Fn(usize, usize, &str) + Send + Sync);

/// The facts of a cluster at one moment.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub kubernetes_version: Option<String>,
    pub provider: String,
    pub nodes: Vec<NodeFacts>,
    /// Nodes left out of node checks, with why (Windows nodes).
    pub excluded: Vec<(String, String)>,
}

/// A cluster the service can scan.
#[async_trait::async_trait]
pub trait ClusterSource: Send + Sync {
    /// A short description for logs and the API ("snapshot /path").
    fn describe(&self) -> String;
    /// The Kubernetes version, when known without scanning (decides the cluster's benchmark).
    fn kubernetes_version(&self) -> Option<String>;
    /// Collects every node's facts. A node that cannot be read yields facts
    /// with `collection_error` set, so its checks report ERROR.
    async fn gather(&self, progress: NodeProgress<'_>) -> Result<Gathered>;
}

/// Builds the source a configured cluster names.
pub fn from_setting(snapshot: &str) -> Result<std::sync::Arc<dyn ClusterSource>> {
    Ok(std::sync::Arc::new(SnapshotSource::open(snapshot)?))
}
