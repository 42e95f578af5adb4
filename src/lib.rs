//! cis-scan: checks Kubernetes clusters against the CIS Kubernetes Benchmark.
//!
//! Layers: `benchmark` (definitions) and `eval` (the evaluator) are pure;
//! `collect` reads a node; `cli` wires them to the command line.

pub mod benchmark;
pub mod cli;
pub mod collect;
pub mod definitions;
pub mod error;
pub mod eval;
pub mod facts;
pub mod output;
pub mod report;

pub use error::{Error, Result};
pub mod alerts;
pub mod app;
pub mod auth;
pub mod cluster_facts;
pub mod domain;
pub mod graphql;
pub mod http;
pub mod live;
pub mod metrics;
#[cfg(test)]
mod proptests;
pub mod registry;
pub mod scan;
pub mod schedule;
pub mod secret;
pub mod service_cli;
pub mod settings;
pub mod source;
pub mod store;
pub mod token_cache;
pub mod token_cli;
