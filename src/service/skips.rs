//! Skipping and unskipping a cluster's tests for a caller: each call checks
//! through the gate (`access`) that the caller may see the cluster and that
//! the test is a check of its benchmark, so the API changes skips only here,
//! never through the store.

use super::principal::Principal;
use super::skip_rules::CheckedSkip;
use super::store::entity::skipped_test;
use super::Service;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// A skip as a caller asks for it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct SkipRequest {
    pub reason: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The nodes whose results it skips; empty = every node.
    pub nodes: Vec<String>,
}

impl Service {
    /// Skips `test_id` for the cluster's next scans, replacing a skip already in
    /// place, and records it in the audit trail. NOT_FOUND unless `by` may see
    /// the cluster; BAD_USER_INPUT for a test the cluster's benchmark lacks or
    /// a request out of bounds.
    pub async fn skip_test(
        &self,
        cluster_id: &str,
        test_id: &str,
        asked: SkipRequest,
        by: &Principal,
    ) -> Result<skipped_test::Model> {
        let c = self.visible_cluster(cluster_id, by).await?;
        self.require_check(&c.id, test_id).await?;
        let now = self.scanner.clock.now();
        let skip = CheckedSkip::checked(asked.reason, asked.expires_at, asked.nodes, now)?;
        let keep = self.settings.skips.audit_entries_per_cluster;
        self.store()
            .skip_test(&c.id, test_id, &skip, &by.name(), keep)
            .await
    }

    /// Undoes a skip for the next scans (recorded in the audit trail); false
    /// when the test was not skipped, and then nothing is recorded. The same
    /// checks as [`Service::skip_test`].
    pub async fn unskip_test(
        &self,
        cluster_id: &str,
        test_id: &str,
        by: &Principal,
    ) -> Result<bool> {
        let c = self.visible_cluster(cluster_id, by).await?;
        self.require_check(&c.id, test_id).await?;
        let keep = self.settings.skips.audit_entries_per_cluster;
        self.store()
            .unskip_test(&c.id, test_id, &by.name(), keep)
            .await
    }
}
