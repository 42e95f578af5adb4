//! The service: one scan pipeline run by a queue with claims, schedules, the store,
//! authentication and settings. Built on the engine and the sources; knows nothing
//! of HTTP.

pub mod access;
pub mod alert_changes;
pub mod alerts;
pub mod auth;
pub mod check_query;
pub mod clock;
pub mod cluster_list;
pub mod cluster_registration;
pub mod clusters;
pub mod fleet;
pub mod history_reads;
pub mod metrics;
pub mod report_answers;
pub mod report_cache;
pub mod report_comparison;
pub mod report_deletions;
pub mod report_view;
mod running;
pub mod scan;
pub mod schedule;
pub mod secret;
pub mod settings;
pub mod skip_rules;
pub mod skips;
pub mod store;
pub mod token_cache;

pub use running::Service;
