//! Scheduled scans: schedules live in the database and are loaded into
//! tokio-cron-scheduler; every firing goes through [`Scheduler::run_due`]-style
//! logic that takes the clock as a parameter and claims each tick once in the
//! database, so any number of replicas queue one scan per tick.

pub mod cron;

use crate::error::{shown, Error, Result};
use crate::service::principal::Principal;
use crate::service::scan::Scanner;
use crate::service::store::entity::schedule;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio_cron_scheduler::{Job, JobScheduler};
use uuid::Uuid;

/// What a user sets on a schedule; None in an update keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    pub cron: Option<String>,
    pub timezone: Option<String>,
    pub retention: Option<i32>,
    pub benchmark: Option<Option<String>>,
    pub alert_on_failure: Option<bool>,
    pub alert_on_complete: Option<bool>,
    pub enabled: Option<bool>,
    /// Leave unscored and manual checks out of its reports.
    pub scored_only: Option<bool>,
}

/// Most reports a schedule may keep.
pub const MAX_RETENTION: i32 = 1000;

/// What one cluster's schedules may ask for (so one owner cannot flood the
/// queue or the operators' alert receivers).
#[derive(Debug, Clone, Copy)]
pub struct ScheduleLimits {
    /// Most schedules one cluster may have.
    pub max_per_cluster: u64,
    /// Shortest time allowed between two runs of a schedule.
    pub min_interval: chrono::Duration,
}

impl ScheduleLimits {
    /// The limits the settings name.
    pub fn from_settings(s: &crate::service::settings::Settings) -> Self {
        ScheduleLimits {
            max_per_cluster: s.schedules.max_per_cluster,
            // validation keeps it under a year: it fits
            min_interval: chrono::Duration::from_std(s.schedules.min_interval)
                .unwrap_or(chrono::Duration::MAX),
        }
    }
}

/// Runs schedules; lives in app state next to the scanner.
pub struct Scheduler {
    pub scanner: Arc<Scanner>,
    limits: ScheduleLimits,
    jobs: tokio::sync::Mutex<(Option<JobScheduler>, HashMap<Uuid, Uuid>)>,
}

impl Scheduler {
    /// A scheduler whose timer is not started (tests drive it with `run_due`).
    pub fn new(scanner: Arc<Scanner>, limits: ScheduleLimits) -> Arc<Self> {
        Arc::new(Scheduler {
            scanner,
            limits,
            jobs: tokio::sync::Mutex::new((None, HashMap::new())),
        })
    }

    fn validate(&self, s: &schedule::Model) -> Result<cron::Timing> {
        let t = cron::timing(&s.cron, &s.timezone)?;
        if !(1..=MAX_RETENTION).contains(&s.retention) {
            return Err(Error::Invalid(format!(
                "retention: must be between 1 and {MAX_RETENTION} reports"
            )));
        }
        if let Some(b) = &s.benchmark {
            // the same choice a scan makes, so a schedule never names one a scan refuses
            crate::engine::benchmark::choose(&self.scanner.catalog, Some(b), None, None)
                .map_err(|e| Error::Invalid(format!("benchmark: {e}")))?;
        }
        Ok(t)
    }

    /// Refuses a timing whose runs come closer than the configured floor.
    fn check_interval(&self, t: &cron::Timing, expr: &str, now: DateTime<Utc>) -> Result<()> {
        match t.shortest_interval(now) {
            Some(gap) if gap < self.limits.min_interval => Err(Error::Invalid(format!(
                "cron: '{}' runs {} s apart at its closest; schedules.min_interval is {} s",
                shown(expr),
                gap.num_seconds(),
                self.limits.min_interval.num_seconds()
            ))),
            _ => Ok(()),
        }
    }

    /// Creates a schedule for a cluster the caller may manage.
    pub async fn create(
        self: &Arc<Self>,
        cluster_id: &str,
        input: ScheduleInput,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<schedule::Model> {
        crate::service::access::visible_cluster_in(&self.scanner.store, cluster_id, by).await?;
        let have = self.scanner.store.schedules(Some(cluster_id)).await?.len() as u64;
        if have >= self.limits.max_per_cluster {
            return Err(Error::Invalid(format!(
                "schedules.max_per_cluster: cluster '{cluster_id}' has {have} schedules, the most allowed; delete one first"
            )));
        }
        let mut row = schedule::Model {
            id: Uuid::new_v4(),
            cluster_id: cluster_id.to_string(),
            cron: input.cron.unwrap_or_default(),
            timezone: input.timezone.unwrap_or_else(|| "UTC".into()),
            retention: input.retention.unwrap_or(3),
            benchmark: input.benchmark.flatten(),
            alert_on_failure: input.alert_on_failure.unwrap_or(false),
            alert_on_complete: input.alert_on_complete.unwrap_or(false),
            enabled: input.enabled.unwrap_or(true),
            next_run_at: now,
            last_run_at: None,
            created_by: by.name(),
            created_at: now,
            scored_only: input.scored_only.unwrap_or(false),
        };
        let timing = self.validate(&row)?;
        self.check_interval(&timing, &row.cron, now)?;
        row.next_run_at = timing.next_after(now)?;
        let row = self.scanner.store.insert_schedule(row).await?;
        self.install(&row).await;
        Ok(row)
    }

    /// A schedule the caller may see, or NOT_FOUND.
    pub async fn visible(&self, id: Uuid, by: &Principal) -> Result<schedule::Model> {
        crate::service::access::visible_schedule_in(&self.scanner.store, id, by).await
    }

    /// Changes a schedule; the timer follows at once.
    pub async fn update(
        self: &Arc<Self>,
        id: Uuid,
        input: ScheduleInput,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<schedule::Model> {
        let mut row = self.visible(id, by).await?;
        let new_cron = input.cron.is_some();
        if let Some(c) = input.cron {
            row.cron = c;
        }
        if let Some(t) = input.timezone {
            row.timezone = t;
        }
        if let Some(r) = input.retention {
            row.retention = r;
        }
        if let Some(b) = input.benchmark {
            row.benchmark = b;
        }
        if let Some(a) = input.alert_on_failure {
            row.alert_on_failure = a;
        }
        if let Some(a) = input.alert_on_complete {
            row.alert_on_complete = a;
        }
        if let Some(e) = input.enabled {
            row.enabled = e;
        }
        if let Some(s) = input.scored_only {
            row.scored_only = s;
        }
        let timing = self.validate(&row)?;
        if new_cron {
            // a schedule made before the floor was raised can still be paused or edited
            self.check_interval(&timing, &row.cron, now)?;
        }
        row.next_run_at = timing.next_after(now)?;
        let row = self.scanner.store.update_schedule(row).await?;
        self.install(&row).await;
        Ok(row)
    }

    /// Deletes a schedule; it stops firing at once.
    pub async fn delete(&self, id: Uuid, by: &Principal) -> Result<bool> {
        self.visible(id, by).await?;
        self.uninstall(id).await;
        self.scanner.store.delete_schedule(id).await
    }

    /// Fires every schedule that is due at `now` (the missed-tick rule: one scan
    /// however many ticks passed). Returns the scans queued by this replica.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Vec<Uuid>> {
        let mut queued = Vec::new();
        for s in self.scanner.store.due_schedules(now).await? {
            match self.fire(&s, now).await {
                Ok(Some(id)) => queued.push(id),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(schedule = %s.id, "schedule could not fire: {}", e.chain())
                }
            }
        }
        Ok(queued)
    }

    /// Fires one schedule if a tick is due at `now`.
    pub async fn run_one(&self, id: Uuid, now: DateTime<Utc>) -> Result<Option<Uuid>> {
        match self.scanner.store.schedule(id).await? {
            Some(s) if s.enabled => self.fire(&s, now).await,
            _ => Ok(None),
        }
    }

    async fn fire(&self, s: &schedule::Model, now: DateTime<Utc>) -> Result<Option<Uuid>> {
        let store = &self.scanner.store;
        let timing = cron::timing(&s.cron, &s.timezone)?;
        let since = s.last_run_at.unwrap_or(s.created_at);
        let Some(tick) = timing.latest_due(since, now) else {
            return Ok(None);
        };
        if !store.claim_tick(s.id, tick, &self.scanner.replica).await? {
            return Ok(None); // another replica fired this tick
        }
        store
            .set_schedule_runs(s.id, Some(tick), timing.next_after(now)?)
            .await?;
        // a tick while the previous scheduled scan still waits adds nothing
        if store.schedule_has_queued_scan(s.id).await? {
            return Ok(None);
        }
        let scan = self
            .scanner
            .request_scheduled(&s.cluster_id, s.benchmark.as_deref(), s.scored_only, s.id)
            .await?;
        Ok(Some(scan.id))
    }

    /// Starts the timer: every enabled schedule becomes a tokio-cron-scheduler
    /// job, and ticks missed while the service was down run once now.
    pub async fn start(self: &Arc<Self>) -> Result<()> {
        let sched = JobScheduler::new()
            .await
            .map_err(|e| Error::Internal(format!("scheduler: {e}")))?;
        sched
            .start()
            .await
            .map_err(|e| Error::Internal(format!("scheduler: {e}")))?;
        self.jobs.lock().await.0 = Some(sched);
        for s in self.scanner.store.schedules(None).await? {
            self.install(&s).await;
        }
        self.run_due(Utc::now()).await?;
        Ok(())
    }

    async fn uninstall(&self, id: Uuid) {
        let mut jobs = self.jobs.lock().await;
        if let Some(job) = jobs.1.remove(&id) {
            if let Some(s) = &jobs.0 {
                let _ = s.remove(&job).await;
            }
        }
    }

    /// (Re)loads one schedule into the timer; a disabled one is only removed.
    async fn install(self: &Arc<Self>, s: &schedule::Model) {
        self.uninstall(s.id).await;
        if !s.enabled {
            return;
        }
        let Ok(timing) = cron::timing(&s.cron, &s.timezone) else {
            return;
        };
        let mut jobs = self.jobs.lock().await;
        let Some(sched) = jobs.0.as_ref() else { return };
        let me = Arc::downgrade(self);
        let id = s.id;
        let job = Job::new_async_tz(timing.six_fields.as_str(), timing.tz, move |_job, _l| {
            let me = me.clone();
            Box::pin(async move {
                if let Some(me) = me.upgrade() {
                    // a timer may wake a hair early: look a second ahead for the tick
                    if let Err(e) = me
                        .run_one(id, Utc::now() + chrono::Duration::seconds(1))
                        .await
                    {
                        tracing::error!(schedule = %id, "scheduled scan failed to queue: {}", e.chain());
                    }
                }
            })
        });
        match job {
            Ok(job) => match sched.add(job).await {
                Ok(job_id) => {
                    jobs.1.insert(id, job_id);
                }
                Err(e) => tracing::error!(schedule = %id, "cannot add timer: {e}"),
            },
            Err(e) => tracing::error!(schedule = %id, "cannot build timer: {e}"),
        }
    }
}
