//! The one integration test harness (one binary keeps link time down).

mod access;
mod cli;
mod cluster_source;
mod content_checks;
mod csv_injection;
mod definitions;
mod demo;
mod deploy;
mod engine;
mod fault_kill;
mod fault_postgres;
mod flow;
mod kube_bench_differences;
mod kubeconfig_policy;
mod lifecycle;
mod limits;
mod live;
mod live_errors;
mod metrics_auth;
mod policies;
mod quotas;
mod schedules;
mod schema;
mod support;
mod token_cli;
mod tokens;
