//! Scan rows.

use super::entity::scan;
use super::Store;
use crate::domain::ScanState;
use crate::error::Result;
use chrono::Utc;
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
        };
        Ok(row.insert(&self.db).await?)
    }

    /// One scan.
    pub async fn scan(&self, id: Uuid) -> Result<Option<scan::Model>> {
        Ok(scan::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Marks a queued scan running. False when it was no longer queued (cancelled meanwhile).
    pub async fn start_scan(&self, id: Uuid) -> Result<bool> {
        let r = scan::Entity::update_many()
            .col_expr(
                scan::Column::State,
                Expr::value(ScanState::Running.as_str()),
            )
            .col_expr(scan::Column::StartedAt, Expr::value(Utc::now()))
            .filter(scan::Column::Id.eq(id))
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
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

    /// Marks scans left RUNNING by a stopped process INTERRUPTED; returns their ids.
    pub async fn interrupt_running_scans(&self) -> Result<Vec<Uuid>> {
        let running: Vec<Uuid> = scan::Entity::find()
            .filter(scan::Column::State.eq(ScanState::Running.as_str()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        for id in &running {
            scan::Entity::update_many()
                .col_expr(
                    scan::Column::State,
                    Expr::value(ScanState::Interrupted.as_str()),
                )
                .col_expr(
                    scan::Column::Message,
                    Expr::value("the service stopped while this scan ran"),
                )
                .col_expr(scan::Column::FinishedAt, Expr::value(Utc::now()))
                .filter(scan::Column::Id.eq(*id))
                .exec(&self.db)
                .await?;
        }
        Ok(running)
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
