//! cis-scan: checks Kubernetes clusters against the CIS Kubernetes Benchmark.
//!
//! Layers, each importing only those below it (docs/ARCHITECTURE.md):
//! - [`engine`]: benchmark definitions, node collection, facts, evaluation and report
//!   rendering; pure where it can be, no GraphQL or database types.
//! - [`sources`]: where a cluster's facts come from: snapshots and live clusters.
//! - [`service`]: the scan pipeline, queue and claims, schedules, store, auth and settings.
//! - [`api`]: GraphQL and HTTP over the service. [`cli`]: the command line.

pub mod api;
pub mod cli;
pub mod engine;
pub mod error;
pub mod service;
pub mod sources;

#[cfg(test)]
mod proptests;

pub use error::{Error, Result};
