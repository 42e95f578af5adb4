//! The repository itself: the import graph of `src/` and the deployment manifests.

pub mod deploy;
pub mod import_graph;
