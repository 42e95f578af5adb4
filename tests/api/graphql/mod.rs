//! The GraphQL API over POST /graphql: who may see and do what, reports and their history, the
//! fleet, skips, tokens and the cost limits.

pub mod access;
pub mod audit_commands;
pub mod benchmark_choice;
pub mod clusters_paged;
pub mod exceptions;
pub mod fleet;
pub mod fleet_compact;
pub mod history;
pub mod limits;
pub mod pricing;
pub mod quotas;
pub mod read_path;
pub mod report_boundaries;
pub mod report_sections;
pub mod schema;
pub mod stored_answers;
pub mod stored_bounds;
pub mod tokens;
