//! What follows a scan: retention (old reports of the schedule, or old manual
//! reports when `retention.manual` asks, are deleted) and, for scheduled scans,
//! alerts (to the configured webhooks). The scanner calls it before it publishes
//! the final progress event, so that event means the work is done.

use crate::engine::report::State;
use crate::error::Result;
use crate::service::alert_changes::AlertChanges;
use crate::service::alerts::{payload, Alerts};
use crate::service::report_comparison;
use crate::service::scan::lifecycle::ScanState;
use crate::service::store::entity::{report, scan};
use crate::service::store::Store;
use uuid::Uuid;

/// Alert delivery and links, fixed at start-up.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub alerts: Alerts,
    /// Reports in memory: pruned ones are dropped and announced.
    pub reports: crate::service::report_cache::ReportCache,
    /// The service's address as users reach it, for report links in alerts.
    pub public_url: String,
    /// Manual reports kept per cluster (`retention.manual`); 0 keeps all.
    pub manual_retention: u64,
}

impl FollowUp {
    /// Retention of manual reports after a manual scan of `scan`'s cluster succeeded.
    pub async fn after_manual_scan(&self, store: &Store, scan: &scan::Model) -> Result<()> {
        if self.manual_retention == 0 {
            return Ok(());
        }
        let pruned = store
            .prune_manual_reports(&scan.cluster_id, self.manual_retention)
            .await?;
        if !pruned.is_empty() {
            self.reports.deleted(&pruned).await;
            tracing::info!(cluster = %scan.cluster_id, pruned = pruned.len(), "old manual reports deleted");
        }
        Ok(())
    }

    /// Retention and alerts after a scan of schedule `schedule_id` ended in `state`.
    pub async fn after_scan(
        &self,
        store: &Store,
        scan: &scan::Model,
        schedule_id: Uuid,
        state: ScanState,
        message: &str,
        report_id: Option<Uuid>,
    ) -> Result<()> {
        let Some(schedule) = store.schedule(schedule_id).await? else {
            return Ok(());
        };
        let report = match report_id {
            Some(id) => store.report(id).await?,
            None => None,
        };
        let failed_checks: Vec<String> = match &report {
            Some(r) => store
                .check_results(r.id, &[State::Fail, State::Error], None)
                .await?
                .into_iter()
                .map(|c| c.row.check_id)
                .collect(),
            None => Vec::new(),
        };
        let failed = state != ScanState::Succeeded || !failed_checks.is_empty();
        let alert = (failed && schedule.alert_on_failure) || schedule.alert_on_complete;
        // compared before retention runs: it may prune the very report compared against
        let changes = match (&report, alert) {
            (Some(r), true) => Some(self.changes_since_previous(store, r).await?),
            (None, true) => Some(AlertChanges::none()),
            _ => None,
        };
        if state == ScanState::Succeeded {
            let keep = schedule.retention.max(1) as u64;
            let pruned = store.prune_schedule_reports(schedule_id, keep).await?;
            if !pruned.is_empty() {
                self.reports.deleted(&pruned).await;
                tracing::info!(schedule = %schedule_id, pruned = pruned.len(), "old scheduled reports deleted");
            }
        }
        let Some(changes) = changes else {
            return Ok(());
        };
        let link = report.as_ref().map(|r| {
            let base = self.public_url.trim_end_matches('/');
            (r.id.to_string(), format!("{base}/reports/{}/csv", r.id))
        });
        let summary = report.as_ref().map(|r| {
            serde_json::json!({ "total": r.total, "pass": r.pass, "fail": r.fail, "warn": r.warn,
                "skip": r.skip, "notApplicable": r.not_applicable, "error": r.error })
        });
        let event = if failed {
            "scan.failed"
        } else {
            "scan.completed"
        };
        let mut doc = payload(
            event,
            &scan.cluster_id,
            &scan.id.to_string(),
            state.as_str(),
            link.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            summary,
            &failed_checks,
            Some(message),
        );
        changes.add_to(&mut doc);
        self.alerts.send(doc);
        Ok(())
    }

    /// New failures and fixed checks of `report` against the cluster's report
    /// before it, through the comparison `compareReports` uses.
    async fn changes_since_previous(
        &self,
        store: &Store,
        report: &report::Model,
    ) -> Result<AlertChanges> {
        let Some(prev) = store
            .previous_report(&report.cluster_id, report.created_at, report.id)
            .await?
        else {
            return Ok(AlertChanges::none());
        };
        let checks = self.reports.checks_of(&[prev.id, report.id]).await?;
        let of = |id| checks.get(&id).map(|c| c.as_slice()).unwrap_or_default();
        let c = report_comparison::compare(of(prev.id), of(report.id));
        Ok(AlertChanges::between(prev.id, &c))
    }
}
