//! Queries behind report history: a report's predecessor, a cluster's latest reports,
//! and the little that checkHistory and compareReports read: compact states, one
//! check's state, the rows of named checks only.

use super::entity::{check_result, report};
use super::reports::StoredCheck;
use super::Store;
use crate::engine::report::State;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows of one check's state in one report.
#[derive(Debug, FromQueryResult)]
struct StateRow {
    report_id: Uuid,
    state: String,
}

/// A report's compact check states as stored (`None` for reports saved before them).
#[derive(Debug, FromQueryResult)]
struct CompactRow {
    id: Uuid,
    check_states: Option<String>,
}

/// A report of a check's history: when, and its compact states.
#[derive(Debug, FromQueryResult)]
pub struct HistoryRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub check_states: Option<String>,
}

impl Store {
    /// The cluster's report just before (`created_at`, `id`), ordered as the report list is.
    pub async fn previous_report(
        &self,
        cluster_id: &str,
        created_at: DateTime<Utc>,
        id: Uuid,
    ) -> Result<Option<report::Model>> {
        Ok(report::Entity::find()
            .filter(report::Column::ClusterId.eq(cluster_id))
            .filter(
                Condition::any()
                    .add(report::Column::CreatedAt.lt(created_at))
                    .add(
                        Condition::all()
                            .add(report::Column::CreatedAt.eq(created_at))
                            .add(report::Column::Id.lt(id)),
                    ),
            )
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .one(&self.db)
            .await?)
    }

    /// The cluster's `last` newest reports, newest first, with only what a check's
    /// history needs (not their node lists, which a 1,000-node report makes large).
    pub async fn recent_check_states(
        &self,
        cluster_id: &str,
        last: u64,
    ) -> Result<Vec<HistoryRow>> {
        Ok(report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .column(report::Column::CreatedAt)
            .column(report::Column::CheckStates)
            .filter(report::Column::ClusterId.eq(cluster_id))
            .order_by_desc(report::Column::CreatedAt)
            .order_by_desc(report::Column::Id)
            .limit(last)
            .into_model::<HistoryRow>()
            .all(&self.db)
            .await?)
    }

    /// The stored compact check states of these reports (one query); a report saved
    /// before they were kept maps to `None`, an unknown id is absent.
    pub async fn compact_states_of(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Option<String>>> {
        Ok(report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .column(report::Column::CheckStates)
            .filter(report::Column::Id.is_in(ids.iter().copied()))
            .into_model::<CompactRow>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.check_states))
            .collect())
    }

    /// The state of check `check_id` in each of these reports that has it, read from
    /// its rows without their evidence (for reports without compact states).
    pub async fn check_state_in(
        &self,
        report_ids: &[Uuid],
        check_id: &str,
    ) -> Result<HashMap<Uuid, State>> {
        let rows = check_result::Entity::find()
            .select_only()
            .column(check_result::Column::ReportId)
            .column(check_result::Column::State)
            .filter(check_result::Column::ReportId.is_in(report_ids.iter().copied()))
            .filter(check_result::Column::CheckId.eq(check_id))
            .into_model::<StateRow>()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.report_id, State::parse(&r.state)?)))
            .collect())
    }

    /// The named checks of these reports with their per-node results, each report's in
    /// benchmark order; other checks are not read.
    pub async fn checks_named(
        &self,
        report_ids: &[Uuid],
        check_ids: &[String],
    ) -> Result<HashMap<Uuid, Vec<StoredCheck>>> {
        let rows = async {
            let mut rows = Vec::new();
            // bounded by the benchmark's size, well under SQLite's variable limit per query
            for names in check_ids.chunks(400) {
                rows.extend(
                    check_result::Entity::find()
                        .filter(check_result::Column::ReportId.is_in(report_ids.iter().copied()))
                        .filter(check_result::Column::CheckId.is_in(names.iter().cloned()))
                        .order_by_asc(check_result::Column::ReportId)
                        .order_by_asc(check_result::Column::Position)
                        .all(&self.db)
                        .await?,
                );
            }
            Ok::<_, Error>(rows)
        };
        // at once, on two connections: the names cost no round trip of their own
        let (names, rows) = futures_util::try_join!(self.node_names_of(report_ids), rows)?;
        let mut out: HashMap<Uuid, Vec<StoredCheck>> = HashMap::new();
        for row in rows {
            let report = row.report_id;
            // no header: deleted while its rows were read, so gone
            let Some(node_names) = names.of(report) else {
                continue;
            };
            out.entry(report)
                .or_default()
                .push(StoredCheck::decode(row, node_names)?);
        }
        for checks in out.values_mut() {
            checks.sort_by_key(|c| c.row.position);
        }
        Ok(out)
    }
}
