//! Scan rows.

use super::entity::scan;
use super::Store;
use crate::error::Result;
use crate::service::scan::lifecycle::{ProgressCounts, ScanState};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::*;
use uuid::Uuid;

impl Store {
    /// Records a new queued scan.
    pub async fn insert_scan(
        &self,
        cluster_id: &str,
        benchmark: Option<&str>,
        requested_by: &str,
        schedule_id: Option<Uuid>,
    ) -> Result<scan::Model> {
        self.insert_scan_with(cluster_id, benchmark, requested_by, schedule_id, false)
            .await
    }

    /// Records a new queued scan that may leave unscored and manual checks out.
    pub async fn insert_scan_with(
        &self,
        cluster_id: &str,
        benchmark: Option<&str>,
        requested_by: &str,
        schedule_id: Option<Uuid>,
        scored_only: bool,
    ) -> Result<scan::Model> {
        let row = queued_scan(
            cluster_id,
            benchmark,
            requested_by,
            schedule_id,
            scored_only,
        );
        Ok(row.insert(&self.db).await?)
    }

    /// One scan.
    pub async fn scan(&self, id: Uuid) -> Result<Option<scan::Model>> {
        Ok(scan::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Claims a queued scan for this replica until `lease_until`, in ONE
    /// conditional statement: the scan must still be QUEUED, no scan of its
    /// cluster may be RUNNING under a live lease, and no older scan of its
    /// cluster may still wait (scans of a cluster run in the order they were
    /// queued). On PostgreSQL under READ COMMITTED two replicas can both pass
    /// the NOT EXISTS for different scans of one cluster; the partial unique
    /// index `scans_one_running_per_cluster` then refuses the second, which is
    /// "not claimed" here. False when not claimed, for whatever reason.
    pub async fn claim_scan(
        &self,
        id: Uuid,
        replica: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let now = Utc::now();
        let other = Alias::new("other");
        let same_cluster = || {
            Expr::col((other.clone(), scan::Column::ClusterId))
                .equals((scan::Entity, scan::Column::ClusterId))
        };
        let running = Query::select()
            .expr(Expr::val(1))
            .from_as(scan::Entity, other.clone())
            .and_where(same_cluster())
            .and_where(
                Expr::col((other.clone(), scan::Column::State)).eq(ScanState::Running.as_str()),
            )
            .and_where(Expr::col((other.clone(), scan::Column::LeaseUntil)).gte(now))
            .to_owned();
        let older_waiting = Query::select()
            .expr(Expr::val(1))
            .from_as(scan::Entity, other.clone())
            .and_where(same_cluster())
            .and_where(
                Expr::col((other.clone(), scan::Column::State)).eq(ScanState::Queued.as_str()),
            )
            .and_where(
                Expr::col((other.clone(), scan::Column::CreatedAt))
                    .lt(Expr::col((scan::Entity, scan::Column::CreatedAt))),
            )
            .to_owned();
        let claimed = scan::Entity::update_many()
            .col_expr(
                scan::Column::State,
                Expr::value(ScanState::Running.as_str()),
            )
            .col_expr(scan::Column::StartedAt, Expr::value(now))
            .col_expr(scan::Column::ClaimedBy, Expr::value(replica))
            .col_expr(scan::Column::LeaseUntil, Expr::value(lease_until))
            .filter(scan::Column::Id.eq(id))
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .filter(Expr::exists(running).not())
            .filter(Expr::exists(older_waiting).not())
            .exec(&self.db)
            .await;
        match claimed {
            Ok(r) => Ok(r.rows_affected == 1),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Records how far a running scan got (nodes and checks done of total),
    /// so its progress still shows them once it has ended.
    pub async fn record_progress(&self, id: Uuid, counts: ProgressCounts) -> Result<()> {
        scan::Entity::update_many()
            .col_expr(scan::Column::NodesDone, Expr::value(counts.nodes_done))
            .col_expr(scan::Column::NodesTotal, Expr::value(counts.nodes_total))
            .col_expr(scan::Column::ChecksDone, Expr::value(counts.checks_done))
            .col_expr(scan::Column::ChecksTotal, Expr::value(counts.checks_total))
            .filter(scan::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Extends this replica's claim on a running scan.
    pub async fn renew_lease(
        &self,
        id: Uuid,
        replica: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let r = scan::Entity::update_many()
            .col_expr(scan::Column::LeaseUntil, Expr::value(lease_until))
            .filter(scan::Column::Id.eq(id))
            .filter(scan::Column::ClaimedBy.eq(replica))
            .filter(scan::Column::State.eq(ScanState::Running.as_str()))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Ends a scan that is still queued or running. False when it had already ended.
    pub async fn finish_scan(
        &self,
        id: Uuid,
        state: ScanState,
        message: Option<&str>,
    ) -> Result<bool> {
        let r = scan::Entity::update_many()
            .col_expr(scan::Column::State, Expr::value(state.as_str()))
            .col_expr(
                scan::Column::Message,
                Expr::value(message.map(str::to_string)),
            )
            .col_expr(scan::Column::FinishedAt, Expr::value(Utc::now()))
            .filter(scan::Column::Id.eq(id))
            .filter(
                scan::Column::State
                    .is_in([ScanState::Queued.as_str(), ScanState::Running.as_str()]),
            )
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Marks RUNNING scans whose claim expired before `now` INTERRUPTED and queues a
    /// retry of each, both in one transaction per scan: a reader who sees it
    /// INTERRUPTED ("queued again") finds the retry, and a process that dies half-way
    /// loses neither. Returns (the interrupted scan, its retry) for each one this call
    /// took (another replica may take some first).
    pub async fn interrupt_expired_scans(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(scan::Model, scan::Model)>> {
        let stale = scan::Entity::find()
            .filter(scan::Column::State.eq(ScanState::Running.as_str()))
            .filter(
                Condition::any()
                    .add(scan::Column::LeaseUntil.lt(now))
                    .add(scan::Column::LeaseUntil.is_null()),
            )
            .all(&self.db)
            .await?;
        let mut taken = Vec::new();
        for s in stale {
            let txn = self.db.begin().await?;
            let r = scan::Entity::update_many()
                .col_expr(
                    scan::Column::State,
                    Expr::value(ScanState::Interrupted.as_str()),
                )
                .col_expr(
                    scan::Column::Message,
                    Expr::value("the service stopped while this scan ran; it was queued again"),
                )
                .col_expr(scan::Column::FinishedAt, Expr::value(now))
                .filter(scan::Column::Id.eq(s.id))
                .filter(scan::Column::State.eq(ScanState::Running.as_str()))
                .exec(&txn)
                .await?;
            if r.rows_affected != 1 {
                txn.rollback().await?;
                continue;
            }
            let by = format!("retry of {}", &s.id.to_string()[..8]);
            let retry = queued_scan(
                &s.cluster_id,
                s.benchmark.as_deref(),
                &by,
                s.schedule_id,
                s.scored_only,
            )
            .insert(&txn)
            .await?;
            txn.commit().await?;
            taken.push((s, retry));
        }
        Ok(taken)
    }

    /// Ids of the RUNNING scans whose claim still holds at `now` (their process lives).
    pub async fn live_running_scans(&self, now: DateTime<Utc>) -> Result<Vec<Uuid>> {
        Ok(scan::Entity::find()
            .select_only()
            .column(scan::Column::Id)
            .filter(scan::Column::State.eq(ScanState::Running.as_str()))
            .filter(scan::Column::LeaseUntil.gte(now))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// The oldest scan of a cluster still waiting, if any.
    pub async fn queued_scan_of(&self, cluster_id: &str) -> Result<Option<scan::Model>> {
        Ok(scan::Entity::find()
            .filter(scan::Column::ClusterId.eq(cluster_id))
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .order_by_asc(scan::Column::CreatedAt)
            .one(&self.db)
            .await?)
    }

    /// The newest `limit` scans of a cluster, newest first.
    pub async fn latest_scans(&self, cluster_id: &str, limit: u64) -> Result<Vec<scan::Model>> {
        Ok(scan::Entity::find()
            .filter(scan::Column::ClusterId.eq(cluster_id))
            .order_by_desc(scan::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Scans still waiting, oldest first.
    pub async fn queued_scans(&self) -> Result<Vec<scan::Model>> {
        Ok(scan::Entity::find()
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .order_by_asc(scan::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }
}

/// A new QUEUED scan row, not yet written.
fn queued_scan(
    cluster_id: &str,
    benchmark: Option<&str>,
    requested_by: &str,
    schedule_id: Option<Uuid>,
    scored_only: bool,
) -> scan::ActiveModel {
    scan::ActiveModel {
        id: Set(Uuid::new_v4()),
        cluster_id: Set(cluster_id.to_string()),
        benchmark: Set(benchmark.map(str::to_string)),
        state: Set(ScanState::Queued),
        message: Set(None),
        requested_by: Set(requested_by.to_string()),
        report_id: Set(None),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
        schedule_id: Set(schedule_id),
        claimed_by: Set(None),
        lease_until: Set(None),
        nodes_done: Set(None),
        nodes_total: Set(None),
        checks_done: Set(None),
        checks_total: Set(None),
        scored_only: Set(scored_only),
    }
}
