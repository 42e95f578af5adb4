//! The one integration test harness (one binary keeps link time down).

mod access;
mod cli;
mod definitions;
mod demo;
mod deploy;
mod engine;
mod flow;
mod lifecycle;
mod live;
mod metrics_auth;
mod policies;
mod schedules;
mod schema;
mod support;
mod token_cli;
mod tokens;
