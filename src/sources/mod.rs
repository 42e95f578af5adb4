//! Where a cluster's node facts come from. Snapshot sources read files;
//! live clusters (through the Kubernetes API) plug in behind the same trait.

pub mod live;
mod local;
mod snapshot;
mod spec;
mod unusable;

pub use local::{read_facts, FactsFilesSource, LocalNodeSource};
pub use snapshot::{ClusterFile, SnapshotSource, DEMO_SNAPSHOT};
pub use spec::{build, ClusterSettings, SourceSpec};
pub use unusable::UnusableSource;

use crate::engine::facts::NodeFacts;
use crate::error::Result;

/// What a source reports while it works: (nodes done, nodes total, message);
/// a total of 0 means it is still discovering the cluster.
pub type NodeProgress<'a> = &'a (dyn Fn(usize, usize, &str) + Send + Sync);

/// The facts of a cluster at one moment.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub kubernetes_version: Option<String>,
    /// Who runs the cluster, when the source knows it without reading nodes.
    pub provider: Option<crate::engine::benchmark::Provider>,
    pub nodes: Vec<NodeFacts>,
    /// Nodes left out of node checks, with why (Windows nodes).
    pub excluded: Vec<(String, String)>,
    /// Facts from the Kubernetes API for section 5, when the source has API access.
    pub cluster: Option<crate::engine::cluster_facts::ClusterFacts>,
    /// How nodes were read.
    pub mode: Option<crate::engine::report::ReadMode>,
    /// The provider that runs the control plane (EKS, GKE, AKS), if any.
    pub managed_by: Option<String>,
}

/// A cluster the service can scan.
#[async_trait::async_trait]
pub trait ClusterSource: Send + Sync {
    /// A short description for logs and the API ("snapshot /path").
    fn describe(&self) -> String;
    /// The Kubernetes version, when known without scanning (decides the cluster's benchmark).
    fn kubernetes_version(&self) -> Option<String>;
    /// What kind of source this is.
    fn kind(&self) -> SourceKind {
        SourceKind::Other
    }
    /// Collects every node's facts for scan `scan` (whose id labels whatever
    /// the source creates in the cluster). A node that cannot be read yields
    /// facts with `collection_error` set, so its checks report ERROR.
    async fn gather(&self, scan: uuid::Uuid, progress: NodeProgress<'_>) -> Result<Gathered>;
    /// The scans that have objects (collector Jobs) in the cluster now; a
    /// source that creates nothing has none.
    async fn scans_with_objects(&self) -> Result<Vec<uuid::Uuid>> {
        Ok(Vec::new())
    }
    /// Deletes every object scan `scan` created in the cluster (what a
    /// killed process left behind).
    async fn remove_objects(&self, scan: uuid::Uuid) -> Result<()> {
        let _ = scan;
        Ok(())
    }
}

/// What kind of source a cluster has: all a cluster owner is shown of it (the
/// description names server paths, which only administrators see).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Facts read from a snapshot directory (or the built-in demo).
    Snapshot,
    /// A live cluster through a kubeconfig file of the operator's.
    Kubeconfig,
    /// The live cluster the service runs in, through its service account.
    InCluster,
    /// A live cluster registered through the API.
    Registered,
    /// A source added by code (embedding, tests).
    Other,
}
