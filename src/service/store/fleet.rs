//! Queries behind the fleet view: each cluster's newest report (optionally of one
//! benchmark) and the states of those reports' checks, read without their per-node
//! evidence. Clusters go in chunks, so a few queries serve hundreds of clusters.

use super::entity::{check_result, report};
use super::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Clusters (or reports) per query: two bind values each stay far below the
/// variable limits of SQLite (32,766) and PostgreSQL (65,535).
const CHUNK: usize = 500;

/// One check of one report as the fleet matrix needs it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CheckStateRow {
    pub report_id: Uuid,
    pub check_id: String,
    pub title: String,
    pub section: String,
    pub state: String,
}

impl Store {
    /// Which reports are the newest of each cluster (of `benchmark` when given):
    /// a condition matching them (and, rarely, a twin made in the same instant).
    async fn newest_condition(
        &self,
        cluster_ids: &[String],
        benchmark: Option<&str>,
    ) -> Result<Option<Condition>> {
        let mut q = report::Entity::find()
            .select_only()
            .column(report::Column::ClusterId)
            .column_as(report::Column::CreatedAt.max(), "newest")
            .filter(report::Column::ClusterId.is_in(cluster_ids.iter().cloned()));
        if let Some(b) = benchmark {
            q = q.filter(report::Column::Benchmark.eq(b));
        }
        let newest: Vec<(String, DateTime<Utc>)> = q
            .group_by(report::Column::ClusterId)
            .into_tuple()
            .all(&self.db)
            .await?;
        if newest.is_empty() {
            return Ok(None);
        }
        let mut which = Condition::any();
        for (cluster, at) in &newest {
            which = which.add(
                Condition::all()
                    .add(report::Column::ClusterId.eq(cluster.as_str()))
                    .add(report::Column::CreatedAt.eq(*at)),
            );
        }
        let mut all = Condition::all().add(which);
        if let Some(b) = benchmark {
            all = all.add(report::Column::Benchmark.eq(b));
        }
        Ok(Some(all))
    }

    /// The newest report of each of these clusters, of `benchmark` when given;
    /// two queries per 500 clusters. Twins made in the same instant: the larger id wins.
    pub async fn latest_reports_where(
        &self,
        cluster_ids: &[String],
        benchmark: Option<&str>,
    ) -> Result<HashMap<String, report::Model>> {
        let mut out: HashMap<String, report::Model> = HashMap::new();
        for chunk in cluster_ids.chunks(CHUNK) {
            let Some(which) = self.newest_condition(chunk, benchmark).await? else {
                continue;
            };
            for r in report::Entity::find().filter(which).all(&self.db).await? {
                if out.get(&r.cluster_id).is_none_or(|have| have.id < r.id) {
                    out.insert(r.cluster_id.clone(), r);
                }
            }
        }
        Ok(out)
    }

    /// The benchmark of each cluster's newest report, reading only those two
    /// columns (headers carry node lists, which a fleet of large clusters makes big).
    pub async fn latest_benchmarks(
        &self,
        cluster_ids: &[String],
    ) -> Result<HashMap<String, String>> {
        let mut out: HashMap<String, (Uuid, String)> = HashMap::new();
        for chunk in cluster_ids.chunks(CHUNK) {
            let Some(which) = self.newest_condition(chunk, None).await? else {
                continue;
            };
            let rows: Vec<(String, Uuid, String)> = report::Entity::find()
                .select_only()
                .column(report::Column::ClusterId)
                .column(report::Column::Id)
                .column(report::Column::Benchmark)
                .filter(which)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (cluster, id, benchmark) in rows {
                if out.get(&cluster).is_none_or(|have| have.0 < id) {
                    out.insert(cluster, (id, benchmark));
                }
            }
        }
        Ok(out.into_iter().map(|(c, (_, b))| (c, b)).collect())
    }

    /// The title and section of each of `check_ids`, from the first of
    /// `reports` that has it (pass the newest first): one query per report
    /// read, usually one.
    pub async fn check_titles(
        &self,
        reports: &[Uuid],
        check_ids: &[String],
    ) -> Result<HashMap<String, (String, String)>> {
        let mut out: HashMap<String, (String, String)> = HashMap::new();
        for report in reports {
            let missing: Vec<&String> = check_ids
                .iter()
                .filter(|id| !out.contains_key(*id))
                .collect();
            if missing.is_empty() {
                break;
            }
            // a benchmark's checks are a few hundred at most, far below any IN-list limit
            let rows: Vec<(String, String, String)> = check_result::Entity::find()
                .select_only()
                .column(check_result::Column::CheckId)
                .column(check_result::Column::Title)
                .column(check_result::Column::Section)
                .filter(check_result::Column::ReportId.eq(*report))
                .filter(check_result::Column::CheckId.is_in(missing.into_iter().cloned()))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (id, title, section) in rows {
                out.entry(id).or_insert((title, section));
            }
        }
        Ok(out)
    }

    /// Writes the compact check states of up to `limit` reports saved before
    /// they existed, from their check rows; returns how many reports it
    /// looked at (0: none left). Idempotent, so replicas may run it at once.
    pub async fn backfill_check_states(&self, limit: u64) -> Result<usize> {
        let ids: Vec<Uuid> = report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .filter(report::Column::CheckStates.is_null())
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        for id in &ids {
            let rows: Vec<(String, String)> = check_result::Entity::find()
                .select_only()
                .column(check_result::Column::CheckId)
                .column(check_result::Column::State)
                .filter(check_result::Column::ReportId.eq(*id))
                .order_by_asc(check_result::Column::Position)
                .into_tuple()
                .all(&self.db)
                .await?;
            let stored = super::check_states::encode_pairs(
                rows.iter().map(|(c, s)| (c.as_str(), s.as_str())),
            );
            report::Entity::update_many()
                .col_expr(report::Column::CheckStates, Expr::value(stored))
                .filter(report::Column::Id.eq(*id))
                .filter(report::Column::CheckStates.is_null())
                .exec(&self.db)
                .await?;
        }
        Ok(ids.len())
    }

    /// Every check of these reports without its per-node evidence, streamed to
    /// `each` in report then benchmark order; one query per 500 reports.
    pub async fn for_each_check_state(
        &self,
        report_ids: &[Uuid],
        mut each: impl FnMut(CheckStateRow),
    ) -> Result<()> {
        for chunk in report_ids.chunks(CHUNK) {
            let mut rows = check_result::Entity::find()
                .select_only()
                .column(check_result::Column::ReportId)
                .column(check_result::Column::CheckId)
                .column(check_result::Column::Title)
                .column(check_result::Column::Section)
                .column(check_result::Column::State)
                .filter(check_result::Column::ReportId.is_in(chunk.iter().copied()))
                .order_by_asc(check_result::Column::ReportId)
                .order_by_asc(check_result::Column::Position)
                .into_model::<CheckStateRow>()
                .stream(&self.db)
                .await?;
            while let Some(row) = rows.next().await {
                each(row?);
            }
        }
        Ok(())
    }
}
