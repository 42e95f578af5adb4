//! What a caller may see: the one place that decides it for reports and
//! clusters (scans: `Scanner::visible_scan`, schedules: the scheduler's own
//! check). Something a caller may not see does not exist for them: NOT_FOUND,
//! never FORBIDDEN, so an owner cannot learn which ids another owner has.

use super::domain::Principal;
use super::report_view::ReportHeader;
use super::store::entity::{cluster, report};
use super::Service;
use crate::error::{shown, Error, Result};
use std::sync::Arc;
use uuid::Uuid;

fn no_report(id: Uuid) -> Error {
    Error::NotFound(format!("no report {id}"))
}

impl Service {
    /// The header of report `id` (from the report cache) when `by` may see it.
    pub async fn visible_report(&self, id: Uuid, by: &Principal) -> Result<Arc<ReportHeader>> {
        match self.reports.header(id).await? {
            Some(r) if by.can_access(&r.cluster_id) => Ok(r),
            _ => Err(no_report(id)),
        }
    }

    /// The stored row of report `id` (what downloads read) when `by` may see it.
    pub async fn visible_report_row(&self, id: Uuid, by: &Principal) -> Result<report::Model> {
        match self.store().report(id).await? {
            Some(r) if by.can_access(&r.cluster_id) => Ok(r),
            _ => Err(no_report(id)),
        }
    }

    /// Active cluster `id` when `by` may see it.
    pub async fn visible_cluster(&self, id: &str, by: &Principal) -> Result<cluster::Model> {
        let found = if by.can_access(id) {
            self.store().cluster(id).await?
        } else {
            None
        };
        found.ok_or_else(|| Error::NotFound(format!("no cluster '{}'", shown(id))))
    }
}
