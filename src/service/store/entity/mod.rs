//! SeaORM entities: database rows, kept apart from the API types.

pub mod check_result;
pub mod cluster;
pub mod report;
pub mod scan;
pub mod schedule;
pub mod schedule_tick;
pub mod skip_audit;
pub mod skipped_test;
pub mod token;
