//! Database migrations for cis-scan (SQLite and PostgreSQL).

pub use sea_orm_migration::prelude::*;

pub mod compact_nodes;

mod m20261128_000001_initial;
mod m20261128_000002_live_clusters;
mod m20261128_000003_schedules;
mod m20261129_000010_token_lifecycle;
mod m20261129_000020_scan_core;
mod m20261129_000030_benchmark_choice;
mod m20261129_000120_skip_exceptions;
mod m20261129_000130_report_check_states;
mod m20261206_000140_compact_node_results;

/// Runs the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_initial::Migration),
            Box::new(m20261128_000002_live_clusters::Migration),
            Box::new(m20261128_000003_schedules::Migration),
            Box::new(m20261129_000010_token_lifecycle::Migration),
            Box::new(m20261129_000020_scan_core::Migration),
            Box::new(m20261129_000030_benchmark_choice::Migration),
            Box::new(m20261129_000120_skip_exceptions::Migration),
            Box::new(m20261129_000130_report_check_states::Migration),
            Box::new(m20261206_000140_compact_node_results::Migration),
        ]
    }
}
