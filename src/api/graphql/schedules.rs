//! Schedule queries and mutations (administrators, and owners for their clusters).

use super::context::{principal, state, uuid};
use super::errors::gql;
use super::types::Cluster;
use crate::service::schedule::ScheduleInput;
use crate::service::store::entity::schedule;
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

/// A scan schedule.
pub struct Schedule(pub schedule::Model);

#[Object]
impl Schedule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cluster_id(&self) -> ID {
        ID(self.0.cluster_id.clone())
    }
    async fn cluster(&self, ctx: &Context<'_>) -> Result<Option<Cluster>> {
        Ok(state(ctx)
            .store()
            .cluster(&self.0.cluster_id)
            .await
            .map_err(gql)?
            .map(Cluster))
    }
    /// As written: 5 fields, or 6 with seconds first.
    async fn cron(&self) -> &str {
        &self.0.cron
    }
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// Scheduled reports kept; older ones are deleted after each scheduled scan.
    async fn retention(&self) -> i32 {
        self.0.retention
    }
    async fn benchmark(&self) -> Option<&str> {
        self.0.benchmark.as_deref()
    }
    async fn alert_on_failure(&self) -> bool {
        self.0.alert_on_failure
    }
    async fn alert_on_complete(&self) -> bool {
        self.0.alert_on_complete
    }
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Its reports leave unscored and manual checks out.
    async fn scored_only(&self) -> bool {
        self.0.scored_only
    }
    async fn next_run_at(&self) -> DateTime<Utc> {
        self.0.next_run_at
    }
    async fn last_run_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_run_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Schedule queries.
#[derive(Default)]
pub struct ScheduleQuery;

#[Object]
impl ScheduleQuery {
    /// Schedules of a cluster, or of every cluster the caller may see.
    #[graphql(complexity = "super::types::LIST_ESTIMATE * child_complexity + 1")]
    async fn schedules(&self, ctx: &Context<'_>, cluster_id: Option<ID>) -> Result<Vec<Schedule>> {
        let p = principal(ctx)?;
        let cluster = state(ctx)
            .listing_scope(cluster_id.as_ref().map(|c| c.as_str()), p)
            .await
            .map_err(gql)?;
        let rows = state(ctx)
            .store()
            .schedules(cluster.as_deref())
            .await
            .map_err(gql)?;
        super::cost::charge_list(ctx, rows.len(), super::types::LIST_ESTIMATE)?;
        Ok(rows.into_iter().map(Schedule).collect())
    }
}

/// Schedule mutations.
#[derive(Default)]
pub struct ScheduleMutation;

#[Object]
impl ScheduleMutation {
    /// Creates a schedule. `cron` takes 5 fields (as Rancher's does) or 6 with seconds first;
    /// `timezone` is an IANA name (default UTC); `retention` defaults to 3 reports.
    #[allow(clippy::too_many_arguments)]
    async fn create_schedule(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        cron: String,
        retention: Option<i32>,
        benchmark: Option<String>,
        alert_on_failure: Option<bool>,
        alert_on_complete: Option<bool>,
        timezone: Option<String>,
        scored_only: Option<bool>,
    ) -> Result<Schedule> {
        let p = principal(ctx)?;
        let input = ScheduleInput {
            cron: Some(cron),
            timezone,
            retention,
            benchmark: Some(benchmark),
            alert_on_failure,
            alert_on_complete,
            enabled: Some(true),
            scored_only,
        };
        Ok(Schedule(
            state(ctx)
                .scheduler
                .create(&cluster_id, input, p, Utc::now())
                .await
                .map_err(gql)?,
        ))
    }

    /// Changes a schedule; fields left out keep their values.
    #[allow(clippy::too_many_arguments)]
    async fn update_schedule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        cron: Option<String>,
        retention: Option<i32>,
        benchmark: Option<String>,
        alert_on_failure: Option<bool>,
        alert_on_complete: Option<bool>,
        timezone: Option<String>,
        enabled: Option<bool>,
        scored_only: Option<bool>,
    ) -> Result<Schedule> {
        let p = principal(ctx)?;
        let id = uuid(&id, "schedule")?;
        let input = ScheduleInput {
            cron,
            timezone,
            retention,
            benchmark: benchmark.map(Some),
            alert_on_failure,
            alert_on_complete,
            enabled,
            scored_only,
        };
        Ok(Schedule(
            state(ctx)
                .scheduler
                .update(id, input, p, Utc::now())
                .await
                .map_err(gql)?,
        ))
    }

    /// Deletes a schedule; it stops firing at once. Its reports stay.
    async fn delete_schedule(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let p = principal(ctx)?;
        let id = uuid(&id, "schedule")?;
        state(ctx).scheduler.delete(id, p).await.map_err(gql)
    }
}
