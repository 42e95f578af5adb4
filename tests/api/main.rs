//! The one integration test harness (one binary keeps link time down).

mod access;
mod cli;
mod cluster_source;
mod definitions;
mod demo;
mod deploy;
mod engine;
mod flow;
mod kubeconfig_policy;
mod lifecycle;
mod live;
mod live_errors;
mod policies;
mod schedules;
mod schema;
mod support;
