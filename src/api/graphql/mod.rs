//! The GraphQL API: thin resolvers split per domain and merged.

pub mod answer_receipt;
mod benchmarks;
mod check_state;
mod check_types;
mod cluster_registration;
mod clusters;
pub mod context;
pub mod cost;
mod document_cache;
mod duplicates;
pub mod errors;
mod fleet;
mod history;
pub mod input_text;
pub mod limits;
mod loaders;
pub mod nesting;
mod paging;
mod refusals;
mod report_types;
mod reports;
mod scans;
mod schedules;
mod skipped_test;
mod skips;
pub mod stored_answers;
pub mod types;

use crate::service::Service;
use async_graphql::{MergedObject, Schema};
use std::sync::Arc;

/// All queries.
#[derive(MergedObject, Default)]
pub struct Query(
    clusters::ClusterQuery,
    reports::ReportQuery,
    history::HistoryQuery,
    scans::ScanQuery,
    skips::SkipQuery,
    schedules::ScheduleQuery,
    benchmarks::BenchmarkQuery,
    fleet::FleetQuery,
);

/// All mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    scans::ScanMutation,
    skips::SkipMutation,
    reports::ReportMutation,
    cluster_registration::ClusterRegistrationMutation,
    schedules::ScheduleMutation,
    benchmarks::BenchmarkMutation,
);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, scans::Subscription>;

/// Builds the schema with its limits; `state` is None only for printing the SDL.
pub fn build(state: Option<Arc<Service>>, depth: usize, complexity: usize) -> AppSchema {
    let mut b = Schema::build(Query::default(), Mutation::default(), scans::Subscription)
        .extension(limits::QueryLimits::new(depth, complexity))
        .extension(answer_receipt::Receipts)
        .extension(input_text::NoNulInStrings)
        .extension(errors::ErrorCodes);
    if let Some(s) = state {
        b = b
            .data(loaders::Loaders::new(s.store().clone(), s.reports.clone()))
            .data(s);
    }
    b.finish()
}

/// The SDL clients rely on (committed as schema.graphql).
pub fn sdl() -> String {
    build(None, 12, 5000).sdl()
}
