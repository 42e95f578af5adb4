//! Queries behind the fleet view: each cluster's newest report (optionally of one
//! benchmark) and the states of those reports' checks, read without their per-node
//! evidence. Clusters go in chunks, so a few queries serve hundreds of clusters.

use super::entity::{check_result, report};
use super::Store;
use crate::error::Result;
use futures_util::StreamExt;
use sea_orm::sea_query::{Alias, Expr, Query};
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
    /// Each row is compared with its own cluster's newest time, a correlated
    /// `MAX(created_at)` that the `(cluster_id, created_at)` index answers with one
    /// seek; an `OR` of one `(cluster, time)` pair per cluster made SQLite test every
    /// pair against every report (a quarter of a second for 5,000 clusters).
    pub(super) async fn newest_condition(
        &self,
        cluster_ids: &[String],
        benchmark: Option<&str>,
    ) -> Result<Option<Condition>> {
        let newer = Alias::new("newer");
        let mut newest = Query::select();
        newest
            .expr(Expr::col((newer.clone(), report::Column::CreatedAt)).max())
            .from_as(report::Entity, newer.clone())
            .and_where(
                Expr::col((newer.clone(), report::Column::ClusterId))
                    .equals((report::Entity, report::Column::ClusterId)),
            );
        if let Some(b) = benchmark {
            newest.and_where(Expr::col((newer, report::Column::Benchmark)).eq(b));
        }
        let mut all = Condition::all()
            .add(report::Column::ClusterId.is_in(cluster_ids.iter().cloned()))
            .add(Expr::col((report::Entity, report::Column::CreatedAt)).in_subquery(newest));
        if let Some(b) = benchmark {
            all = all.add(report::Column::Benchmark.eq(b));
        }
        Ok(Some(all))
    }

    /// The newest report of each of these clusters, of `benchmark` when given;
    /// one query per 500 clusters. Twins made in the same instant: the larger id wins.
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

    /// The title and section of each of `check_ids` as these reports' rows
    /// hold them (for checks the benchmark definitions no longer have): one
    /// query per 500 reports, answering one row per check.
    pub async fn check_titles(
        &self,
        reports: &[Uuid],
        check_ids: &[String],
    ) -> Result<HashMap<String, (String, String)>> {
        let mut out: HashMap<String, (String, String)> = HashMap::new();
        for chunk in reports.chunks(CHUNK) {
            let missing: Vec<String> = check_ids
                .iter()
                .filter(|id| !out.contains_key(*id))
                .cloned()
                .collect();
            if missing.is_empty() {
                break;
            }
            // a benchmark's checks are a few hundred at most, far below any IN-list limit
            let rows: Vec<(String, String, String)> = check_result::Entity::find()
                .select_only()
                .column(check_result::Column::CheckId)
                .column_as(check_result::Column::Title.max(), "title")
                .column_as(check_result::Column::Section.max(), "section")
                .filter(check_result::Column::ReportId.is_in(chunk.iter().copied()))
                .filter(check_result::Column::CheckId.is_in(missing))
                .group_by(check_result::Column::CheckId)
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
    /// they existed (by id, after `after`), from their check rows, in two
    /// queries plus one update per report; returns the last id looked at, None
    /// when none was left. Idempotent, so replicas may run it at once.
    pub async fn backfill_check_states(
        &self,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Option<Uuid>> {
        let mut q = report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .filter(report::Column::CheckStates.is_null());
        if let Some(a) = after {
            q = q.filter(report::Column::Id.gt(a));
        }
        let ids: Vec<Uuid> = q
            .order_by_asc(report::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        let Some(&last) = ids.last() else {
            return Ok(None);
        };
        let rows: Vec<(Uuid, String, String)> = check_result::Entity::find()
            .select_only()
            .column(check_result::Column::ReportId)
            .column(check_result::Column::CheckId)
            .column(check_result::Column::State)
            .filter(check_result::Column::ReportId.is_in(ids.iter().copied()))
            .order_by_asc(check_result::Column::ReportId)
            .order_by_asc(check_result::Column::Position)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut of: HashMap<Uuid, Vec<(&str, &str)>> = HashMap::new();
        for (report, check, state) in &rows {
            of.entry(*report).or_default().push((check, state));
        }
        for id in &ids {
            let pairs = of.remove(id).unwrap_or_default();
            let stored = super::check_states::encode_pairs(pairs.into_iter());
            report::Entity::update_many()
                .col_expr(report::Column::CheckStates, Expr::value(stored))
                .filter(report::Column::Id.eq(*id))
                .filter(report::Column::CheckStates.is_null())
                .exec(&self.db)
                .await?;
        }
        Ok(Some(last))
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
