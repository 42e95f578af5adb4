//! Scan rows.

use super::entity::scan;
use super::Store;
use crate::error::Result;
use crate::service::domain::ScanState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
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
        let row = scan::ActiveModel {
            id: Set(Uuid::new_v4()),
            cluster_id: Set(cluster_id.to_string()),
            benchmark: Set(benchmark.map(str::to_string)),
            state: Set(ScanState::Queued.as_str().to_string()),
            message: Set(None),
            requested_by: Set(requested_by.to_string()),
            report_id: Set(None),
            created_at: Set(Utc::now()),
            started_at: Set(None),
            finished_at: Set(None),
            schedule_id: Set(schedule_id),
            claimed_by: Set(None),
            lease_until: Set(None),
        };
        Ok(row.insert(&self.db).await?)
    }

    /// One scan.
    pub async fn scan(&self, id: Uuid) -> Result<Option<scan::Model>> {
        Ok(scan::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Claims a queued scan for this replica until `lease_until`. False when it
    /// was no longer queued (cancelled, or claimed by another replica).
    pub async fn start_scan(
        &self,
        id: Uuid,
        replica: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let r = scan::Entity::update_many()
            .col_expr(
                scan::Column::State,
                Expr::value(ScanState::Running.as_str()),
            )
            .col_expr(scan::Column::StartedAt, Expr::value(Utc::now()))
            .col_expr(scan::Column::ClaimedBy, Expr::value(replica))
            .col_expr(scan::Column::LeaseUntil, Expr::value(lease_until))
            .filter(scan::Column::Id.eq(id))
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
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

    /// Marks RUNNING scans whose claim expired (their process stopped)
    /// INTERRUPTED and returns them; each is taken by one replica only.
    pub async fn interrupt_expired_scans(&self, now: DateTime<Utc>) -> Result<Vec<scan::Model>> {
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
                .exec(&self.db)
                .await?;
            if r.rows_affected == 1 {
                taken.push(s);
            }
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

    /// True when another scan of the cluster is running (on any replica).
    pub async fn cluster_busy(&self, cluster_id: &str, except: Uuid) -> Result<bool> {
        Ok(scan::Entity::find()
            .filter(scan::Column::ClusterId.eq(cluster_id))
            .filter(scan::Column::State.eq(ScanState::Running.as_str()))
            .filter(scan::Column::Id.ne(except))
            .count(&self.db)
            .await?
            > 0)
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

    /// Scans still waiting, oldest first.
    pub async fn queued_scans(&self) -> Result<Vec<scan::Model>> {
        Ok(scan::Entity::find()
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .order_by_asc(scan::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }
}
