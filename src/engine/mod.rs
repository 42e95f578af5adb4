//! The engine: benchmark definitions as data, node collection, facts, the pure
//! evaluator and report rendering. Nothing here knows about GraphQL or a database.

pub mod audit;
pub mod benchmark;
pub mod cluster_facts;
pub mod collect;
mod content_facts;
pub mod definitions;
pub mod error;
pub mod eval;
pub mod facts;
pub mod read_mode;
pub mod render;
pub mod report;
