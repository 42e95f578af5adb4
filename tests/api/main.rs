//! The one integration test harness (one binary keeps link time down).

mod access;
mod cli;
mod definitions;
mod demo;
mod deploy;
mod engine;
mod fault_kill;
mod fault_postgres;
mod flow;
mod lifecycle;
mod live;
mod policies;
mod schedules;
mod schema;
mod support;
