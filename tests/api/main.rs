//! The one integration test harness (one binary keeps link time down).

mod cli;
mod definitions;
mod demo;
mod engine;
mod support;
