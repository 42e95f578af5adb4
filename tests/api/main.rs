//! The one integration test harness (one binary keeps link time down).

mod access;
mod cli;
mod csv_injection;
mod definitions;
mod demo;
mod deploy;
mod engine;
mod flow;
mod lifecycle;
mod limits;
mod live;
mod policies;
mod quotas;
mod schedules;
mod schema;
mod support;
