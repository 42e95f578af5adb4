//! The one integration test harness (one binary keeps link time down), its modules
//! grouped by what they exercise.

mod browser;
mod cli;
mod clusters;
mod engine;
mod exports;
mod faults;
mod graphql;
mod http;
mod monitoring;
mod project;
mod scans;
mod support;
