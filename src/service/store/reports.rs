//! Reports and their check results. A report is written once, in one transaction.

use super::entity::{check_result, report, scan};
use super::node_codec::{self, NodeNames};
use super::Store;
use crate::engine::report::{CheckResult, NodeResult, Report, State};
use crate::error::{Error, Result};
use crate::service::report_view::ReportState;
use crate::service::scan::lifecycle::ScanState;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use sea_orm::sea_query::Expr;
use sea_orm::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Check rows per INSERT: 14 columns each stays well under SQLite's variable limit.
const CHUNK: usize = 200;

/// One stored check with its per-node results decoded.
#[derive(Debug, Clone)]
pub struct StoredCheck {
    pub row: check_result::Model,
    pub nodes: Vec<NodeResult>,
}

impl StoredCheck {
    /// The row with its node results decoded; `names` is its report's node list.
    pub(super) fn decode(row: check_result::Model, names: &[String]) -> Result<Self> {
        let nodes = node_codec::decode(&row.nodes, names)
            .map_err(|e| Error::Database(format!("check result {}: {e}", row.id)))?;
        Ok(StoredCheck { row, nodes })
    }

    /// The engine's form of the check; a stored state outside the enum is a database error.
    pub fn into_result(self) -> Result<CheckResult> {
        let r = self.row;
        let state = State::parse(&r.state).ok_or_else(|| {
            Error::Database(format!(
                "check result {}: unknown state '{}'",
                r.id, r.state
            ))
        })?;
        Ok(CheckResult {
            id: r.check_id,
            title: r.title,
            section: r.section,
            target: r.target,
            state,
            scored: r.scored,
            automated: r.automated,
            rule: r.rule,
            remediation: r.remediation,
            reason: r.reason,
            nodes: self.nodes,
        })
    }
}

/// A page of reports, newest first.
#[derive(Debug)]
pub struct ReportPage {
    pub reports: Vec<report::Model>,
    pub has_next: bool,
}

impl Store {
    /// Writes a finished scan's report, marks the scan SUCCEEDED and sets
    /// "last matched" on the skips that hid a result (`hidden_by`),
    /// atomically.
    pub async fn save_report(
        &self,
        scan_id: Uuid,
        cluster_id: &str,
        r: &Report,
        started: DateTime<Utc>,
        schedule_id: Option<Uuid>,
        hidden_by: &[String],
    ) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let now = Utc::now();
        let s = r.summary;
        let header = report::ActiveModel {
            id: Set(id),
            cluster_id: Set(cluster_id.to_string()),
            scan_id: Set(scan_id),
            benchmark: Set(r.benchmark.clone()),
            benchmark_title: Set(r.benchmark_title.clone()),
            benchmark_reason: Set(r.benchmark_reason.clone()),
            scored_only: Set(r.scored_only),
            kubernetes_version: Set(r.kubernetes_version.clone()),
            state: Set(ReportState::of(&r.results).as_str().to_string()),
            nodes: Set(serde_json::to_string(&r.nodes).map_err(|e| Error::Internal(e.to_string()))?),
            total: Set(s.total as i32),
            pass: Set(s.pass as i32),
            fail: Set(s.fail as i32),
            warn: Set(s.warn as i32),
            skip: Set(s.skip as i32),
            not_applicable: Set(s.not_applicable as i32),
            error: Set(s.error as i32),
            started_at: Set(started),
            finished_at: Set(now),
            created_at: Set(now),
            // the engine's enums as their names: the columns stay strings
            provider: Set(r.provider.map(|p| p.as_str().to_string())),
            mode: Set(r.mode.map(|m| m.as_str().to_string())),
            schedule_id: Set(schedule_id),
            excluded: Set((!r.excluded.is_empty())
                .then(|| serde_json::to_string(&r.excluded).unwrap_or_default())),
            check_states: Set(Some(super::check_states::encode(&r.results))),
        };
        let names = NodeNames::new(&r.nodes);
        let mut rows = Vec::with_capacity(r.results.len());
        for (i, c) in r.results.iter().enumerate() {
            rows.push(check_result::ActiveModel {
                id: NotSet,
                report_id: Set(id),
                position: Set(i as i32),
                check_id: Set(c.id.clone()),
                title: Set(c.title.clone()),
                section: Set(c.section.clone()),
                target: Set(c.target.clone()),
                state: Set(c.state.as_str().to_string()),
                scored: Set(c.scored),
                automated: Set(c.automated),
                rule: Set(c.rule.clone()),
                remediation: Set(c.remediation.clone()),
                reason: Set(c.reason.clone()),
                nodes: Set(node_codec::encode(&c.nodes, &names)),
            });
        }
        let txn = self.db.begin().await?;
        header.insert(&txn).await?;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
            check_result::Entity::insert_many(chunk).exec(&txn).await?;
        }
        let updated = scan::Entity::update_many()
            .col_expr(
                scan::Column::State,
                Expr::value(ScanState::Succeeded.as_str()),
            )
            .col_expr(scan::Column::ReportId, Expr::value(id))
            .col_expr(scan::Column::FinishedAt, Expr::value(now))
            .filter(scan::Column::Id.eq(scan_id))
            .filter(scan::Column::State.eq(ScanState::Running.as_str()))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            // cancelled while saving: keep nothing
            txn.rollback().await?;
            return Err(Error::NotFound(format!(
                "scan {scan_id} is no longer running"
            )));
        }
        // "last matched" is the end of this scan: the saved report's finish time
        super::skips::mark_skips_matched(&txn, cluster_id, hidden_by, started, now).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// One report's header.
    pub async fn report(&self, id: Uuid) -> Result<Option<report::Model>> {
        Ok(report::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Whether a report still exists: a primary-key lookup of one column.
    pub async fn report_exists(&self, id: Uuid) -> Result<bool> {
        let found: Option<Uuid> = report::Entity::find_by_id(id)
            .select_only()
            .column(report::Column::Id)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(found.is_some())
    }

    /// Newest report of a cluster.
    pub async fn latest_report(&self, cluster_id: &str) -> Result<Option<report::Model>> {
        Ok(report::Entity::find()
            .filter(report::Column::ClusterId.eq(cluster_id))
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .one(&self.db)
            .await?)
    }

    /// Reports newest first, after the report `after` (exclusive), limited to `cluster`.
    pub async fn reports(
        &self,
        cluster: Option<&str>,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<ReportPage> {
        let mut q = report::Entity::find();
        if let Some(c) = cluster {
            q = q.filter(report::Column::ClusterId.eq(c));
        }
        if let Some(a) = after {
            // a cursor of another cluster's report is as unknown as one that
            // never existed: the answer must not tell an owner it exists
            let anchor = self
                .report(a)
                .await?
                .filter(|r| cluster.is_none_or(|c| r.cluster_id == c))
                .ok_or_else(|| Error::Invalid("'after' is not a valid cursor".into()))?;
            q = q.filter(
                Condition::any()
                    .add(report::Column::CreatedAt.lt(anchor.created_at))
                    .add(
                        Condition::all()
                            .add(report::Column::CreatedAt.eq(anchor.created_at))
                            .add(report::Column::Id.lt(anchor.id)),
                    ),
            );
        }
        let mut reports = q
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let has_next = reports.len() as u64 > first;
        reports.truncate(first as usize);
        Ok(ReportPage { reports, has_next })
    }

    /// A report's checks in benchmark order, optionally filtered.
    pub async fn check_results(
        &self,
        report_id: Uuid,
        states: &[State],
        section: Option<&str>,
    ) -> Result<Vec<StoredCheck>> {
        Ok(self
            .check_results_of(&[report_id], states, section)
            .await?
            .remove(&report_id)
            .unwrap_or_default())
    }

    /// The checks of several reports in one query, each in benchmark order, optionally filtered.
    pub async fn check_results_of(
        &self,
        report_ids: &[Uuid],
        states: &[State],
        section: Option<&str>,
    ) -> Result<HashMap<Uuid, Vec<StoredCheck>>> {
        let mut q = check_result::Entity::find()
            .filter(check_result::Column::ReportId.is_in(report_ids.iter().copied()));
        if !states.is_empty() {
            q = q.filter(check_result::Column::State.is_in(states.iter().map(|s| s.as_str())));
        }
        if let Some(sec) = section {
            q = q.filter(
                Condition::any()
                    .add(check_result::Column::Section.eq(sec))
                    .add(check_result::Column::CheckId.eq(sec))
                    .add(check_result::Column::CheckId.starts_with(format!("{sec}."))),
            );
        }
        let rows = q
            .order_by_asc(check_result::Column::ReportId)
            .order_by_asc(check_result::Column::Position)
            .all(&self.db);
        // at once, on two connections: the names cost no round trip of their own
        let (names, rows) = futures_util::try_join!(self.node_names_of(report_ids), async {
            rows.await.map_err(Error::from)
        })?;
        let mut out: HashMap<Uuid, Vec<StoredCheck>> = HashMap::new();
        for row in rows {
            let report = row.report_id;
            // no header: deleted while its rows were read, so gone
            let Some(names) = names.of(report) else {
                continue;
            };
            out.entry(report)
                .or_default()
                .push(StoredCheck::decode(row, names)?);
        }
        Ok(out)
    }

    /// A report's checks one at a time, for streaming exports.
    pub async fn stream_check_results(
        &self,
        report_id: Uuid,
    ) -> Result<impl Stream<Item = Result<StoredCheck>> + Send + '_> {
        let names = self.node_names_of(&[report_id]).await?;
        let s = check_result::Entity::find()
            .filter(check_result::Column::ReportId.eq(report_id))
            .order_by_asc(check_result::Column::Position)
            .stream(&self.db)
            .await?;
        Ok(s.map(move |r| {
            r.map_err(Error::from)
                .and_then(|row| StoredCheck::decode(row, names.of(report_id).unwrap_or_default()))
        }))
    }

    /// Deletes a report and its results. False when it did not exist.
    pub async fn delete_report(&self, id: Uuid) -> Result<bool> {
        let txn = self.db.begin().await?;
        check_result::Entity::delete_many()
            .filter(check_result::Column::ReportId.eq(id))
            .exec(&txn)
            .await?;
        let r = report::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(r.rows_affected == 1)
    }
}

impl Store {
    /// The newest report of every active cluster, for metrics.
    pub async fn latest_reports(&self) -> Result<Vec<report::Model>> {
        let ids: Vec<String> = self
            .clusters(None)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut latest = self.latest_reports_of(&ids).await?;
        Ok(ids.iter().filter_map(|id| latest.remove(id)).collect())
    }

    /// The newest report of each of these clusters, in one query per 500 clusters.
    pub async fn latest_reports_of(
        &self,
        cluster_ids: &[String],
    ) -> Result<HashMap<String, report::Model>> {
        self.latest_reports_where(cluster_ids, None).await
    }

    /// Finished scans per cluster, and how many scans wait in the queue.
    pub async fn scan_counts(&self) -> Result<(Vec<(String, i64)>, i64)> {
        let done = [
            ScanState::Succeeded,
            ScanState::Failed,
            ScanState::Cancelled,
            ScanState::Interrupted,
        ];
        let rows = scan::Entity::find()
            .select_only()
            .column(scan::Column::ClusterId)
            .column_as(scan::Column::Id.count(), "n")
            .filter(scan::Column::State.is_in(done.map(|s| s.as_str())))
            .group_by(scan::Column::ClusterId)
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?;
        let queued = scan::Entity::find()
            .filter(scan::Column::State.eq(ScanState::Queued.as_str()))
            .count(&self.db)
            .await? as i64;
        Ok((rows, queued))
    }
}
