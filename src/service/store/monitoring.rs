//! Queries behind /metrics: finished scans grouped by cluster, schedule and
//! outcome, and every skip's expiry. Each answers a few rows per cluster
//! (or per skip) and reads no per-check or per-node data.

use super::entity::{scan, skipped_test};
use super::Store;
use crate::error::Result;
use crate::service::scan::lifecycle::ScanState;
use chrono::{DateTime, Utc};
use sea_orm::*;
use uuid::Uuid;

/// Finished scans of one cluster and schedule (None: not queued by a schedule)
/// that ended in one state: how many, and when the newest of them ended.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ScanGroup {
    pub cluster_id: String,
    pub schedule_id: Option<Uuid>,
    pub state: String,
    pub n: i64,
    pub newest: Option<DateTime<Utc>>,
}

/// One skip as /metrics counts it: no reason, no node list.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SkipRow {
    pub cluster_id: String,
    pub test_id: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Finished scans per cluster, schedule and final state (one query). Scans are
    /// never deleted, so each count only grows: a counter.
    pub async fn scan_groups(&self) -> Result<Vec<ScanGroup>> {
        let done = [
            ScanState::Succeeded,
            ScanState::Failed,
            ScanState::Cancelled,
            ScanState::Interrupted,
        ];
        Ok(scan::Entity::find()
            .select_only()
            .column(scan::Column::ClusterId)
            .column(scan::Column::ScheduleId)
            .column(scan::Column::State)
            .column_as(scan::Column::Id.count(), "n")
            .column_as(scan::Column::FinishedAt.max(), "newest")
            .filter(scan::Column::State.is_in(done.map(|s| s.as_str())))
            .group_by(scan::Column::ClusterId)
            .group_by(scan::Column::ScheduleId)
            .group_by(scan::Column::State)
            .into_model::<ScanGroup>()
            .all(&self.db)
            .await?)
    }

    /// How many scans wait in the queue.
    pub async fn queued_scan_count(&self) -> Result<i64> {
        Ok(scan::Entity::find()
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .count(&self.db)
            .await? as i64)
    }

    /// Every cluster's skips with their expiry, without reasons or node lists
    /// (a node list may be 64 KiB).
    pub async fn skip_expiries(&self) -> Result<Vec<SkipRow>> {
        Ok(skipped_test::Entity::find()
            .select_only()
            .column(skipped_test::Column::ClusterId)
            .column(skipped_test::Column::TestId)
            .column(skipped_test::Column::ExpiresAt)
            .into_model::<SkipRow>()
            .all(&self.db)
            .await?)
    }
}
