//! The engine and the shipped definitions, without the service: verdicts on host roots, snapshots
//! and conformance cases, and each benchmark against its source.

pub mod absent_files;
pub mod benchmark_cis20;
pub mod conformance;
pub mod content_checks;
pub mod definitions;
pub mod definitions_source;
pub mod demo;
pub mod distro_k3s;
pub mod distro_rke2;
pub mod kube_bench_differences;
pub mod managed_workers;
pub mod node_shapes;
pub mod policies;
pub mod version_values;
