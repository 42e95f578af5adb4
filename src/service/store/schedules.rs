//! Schedules and their claimed ticks.

use super::entity::{check_result, report, scan, schedule, schedule_tick};
use super::Store;
use crate::error::Result;
use crate::service::scan::lifecycle::ScanState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::*;
use uuid::Uuid;

impl Store {
    /// Stores a new schedule.
    pub async fn insert_schedule(&self, row: schedule::Model) -> Result<schedule::Model> {
        Ok(schedule::ActiveModel::from(row).insert(&self.db).await?)
    }

    /// Replaces a schedule's settings.
    pub async fn update_schedule(&self, row: schedule::Model) -> Result<schedule::Model> {
        let mut am: schedule::ActiveModel = row.into();
        for c in [
            schedule::Column::Cron,
            schedule::Column::Timezone,
            schedule::Column::Retention,
            schedule::Column::Benchmark,
            schedule::Column::AlertOnFailure,
            schedule::Column::AlertOnComplete,
            schedule::Column::Enabled,
            schedule::Column::NextRunAt,
            schedule::Column::ScoredOnly,
        ] {
            am.reset(c);
        }
        Ok(am.update(&self.db).await?)
    }

    /// Deletes a schedule; its reports stay (and are no longer pruned).
    pub async fn delete_schedule(&self, id: Uuid) -> Result<bool> {
        schedule_tick::Entity::delete_many()
            .filter(schedule_tick::Column::ScheduleId.eq(id))
            .exec(&self.db)
            .await?;
        Ok(schedule::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected
            == 1)
    }

    /// One schedule.
    pub async fn schedule(&self, id: Uuid) -> Result<Option<schedule::Model>> {
        Ok(schedule::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Schedules, of one cluster or all.
    pub async fn schedules(&self, cluster: Option<&str>) -> Result<Vec<schedule::Model>> {
        let mut q = schedule::Entity::find();
        if let Some(c) = cluster {
            q = q.filter(schedule::Column::ClusterId.eq(c));
        }
        Ok(q.order_by_asc(schedule::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Enabled schedules whose next run is due.
    pub async fn due_schedules(&self, now: DateTime<Utc>) -> Result<Vec<schedule::Model>> {
        Ok(schedule::Entity::find()
            .filter(schedule::Column::Enabled.eq(true))
            .filter(schedule::Column::NextRunAt.lte(now))
            .all(&self.db)
            .await?)
    }

    /// Claims a tick for this replica. False when another replica (or an earlier run) has it.
    pub async fn claim_tick(
        &self,
        schedule_id: Uuid,
        tick: DateTime<Utc>,
        replica: &str,
    ) -> Result<bool> {
        let row = schedule_tick::ActiveModel {
            schedule_id: Set(schedule_id),
            tick_at: Set(tick),
            claimed_by: Set(replica.to_string()),
        };
        let r = schedule_tick::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    schedule_tick::Column::ScheduleId,
                    schedule_tick::Column::TickAt,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(r == 1)
    }

    /// Records that a schedule ran and when it runs next.
    pub async fn set_schedule_runs(
        &self,
        id: Uuid,
        last: Option<DateTime<Utc>>,
        next: DateTime<Utc>,
    ) -> Result<()> {
        let mut q = schedule::Entity::update_many().col_expr(
            schedule::Column::NextRunAt,
            sea_orm::sea_query::Expr::value(next),
        );
        if let Some(l) = last {
            q = q.col_expr(
                schedule::Column::LastRunAt,
                sea_orm::sea_query::Expr::value(l),
            );
        }
        q.filter(schedule::Column::Id.eq(id)).exec(&self.db).await?;
        Ok(())
    }

    /// Scans a schedule queued, oldest first.
    pub async fn schedule_scans(&self, schedule_id: Uuid) -> Result<Vec<scan::Model>> {
        Ok(scan::Entity::find()
            .filter(scan::Column::ScheduleId.eq(schedule_id))
            .order_by_asc(scan::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Reports a schedule's scans wrote, newest first.
    pub async fn schedule_reports(&self, schedule_id: Uuid) -> Result<Vec<report::Model>> {
        Ok(report::Entity::find()
            .filter(report::Column::ScheduleId.eq(schedule_id))
            .order_by_desc(report::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// True when a scan of this schedule is still waiting to start.
    pub async fn schedule_has_queued_scan(&self, schedule_id: Uuid) -> Result<bool> {
        Ok(scan::Entity::find()
            .filter(scan::Column::ScheduleId.eq(schedule_id))
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .count(&self.db)
            .await?
            > 0)
    }

    /// Deletes a schedule's reports beyond the newest `keep` and returns their ids;
    /// manual reports are never touched.
    pub async fn prune_schedule_reports(&self, schedule_id: Uuid, keep: u64) -> Result<Vec<Uuid>> {
        let mine = Condition::all().add(report::Column::ScheduleId.eq(schedule_id));
        self.prune_reports(mine, keep).await
    }

    /// Deletes a cluster's manual reports (no schedule) beyond the newest `keep`
    /// and returns their ids; scheduled reports are never touched.
    pub async fn prune_manual_reports(&self, cluster_id: &str, keep: u64) -> Result<Vec<Uuid>> {
        let manual = Condition::all()
            .add(report::Column::ClusterId.eq(cluster_id))
            .add(report::Column::ScheduleId.is_null());
        self.prune_reports(manual, keep).await
    }

    /// Deletes the reports `which` matches beyond the newest `keep`, 500 at a time.
    async fn prune_reports(&self, which: Condition, keep: u64) -> Result<Vec<Uuid>> {
        // (SQLite has no OFFSET without LIMIT: skip in code; ids are small)
        let old: Vec<Uuid> = report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .filter(which)
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .into_tuple::<Uuid>()
            .all(&self.db)
            .await?
            .into_iter()
            .skip(keep as usize)
            .collect();
        for chunk in old.chunks(500) {
            let txn = self.db.begin().await?;
            check_result::Entity::delete_many()
                .filter(check_result::Column::ReportId.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
            report::Entity::delete_many()
                .filter(report::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
            txn.commit().await?;
        }
        Ok(old)
    }
}
