//! Skipped tests (skips) per cluster, and their audit trail: every skip,
//! replaced skip and unskip is written with the change, in one transaction.

use super::entity::{skip_audit, skipped_test};
use super::Store;
use crate::error::Result;
use crate::service::skip_rules::{encode_nodes, CheckedSkip, SkipAction};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::*;

/// One page of the audit trail, newest first.
#[derive(Debug)]
pub struct AuditPage {
    pub entries: Vec<skip_audit::Model>,
    pub has_next: bool,
}

/// Records, in the transaction that saves a scan's report, that these tests'
/// skips hid a result in that scan, which started at `started` and ended
/// `at`: written with the report, so whoever sees the report also sees the
/// "last matched" time. A skip made after the scan started (a
/// replacement) was not the one applied, and is left alone.
pub(super) async fn mark_skips_matched<C: ConnectionTrait>(
    db: &C,
    cluster_id: &str,
    test_ids: &[String],
    started: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<()> {
    if test_ids.is_empty() {
        return Ok(());
    }
    // a scan's checks are bounded by its benchmark, well under any IN-list limit
    skipped_test::Entity::update_many()
        .col_expr(skipped_test::Column::LastMatchedAt, Expr::value(at))
        .filter(skipped_test::Column::ClusterId.eq(cluster_id))
        .filter(skipped_test::Column::TestId.is_in(test_ids.iter().cloned()))
        .filter(skipped_test::Column::CreatedAt.lte(started))
        .exec(db)
        .await?;
    Ok(())
}

/// The audit entry of a change to one skip.
fn audit(
    row: &skipped_test::Model,
    action: SkipAction,
    replaced: bool,
    by: &str,
    at: DateTime<Utc>,
) -> skip_audit::ActiveModel {
    skip_audit::ActiveModel {
        id: NotSet,
        cluster_id: Set(row.cluster_id.clone()),
        test_id: Set(row.test_id.clone()),
        action: Set(action),
        replaced: Set(replaced),
        actor: Set(by.to_string()),
        at: Set(at),
        reason: Set(row.reason.clone()),
        expires_at: Set(row.expires_at),
        nodes: Set(row.nodes.clone()),
    }
}

/// Deletes a cluster's audit entries older than its newest `keep`, inside the
/// transaction that just added one: the trail never grows past `keep` rows per
/// cluster, however many skips an owner sends.
async fn trim_audit<C: ConnectionTrait>(db: &C, cluster_id: &str, keep: u64) -> Result<()> {
    let oldest_kept = skip_audit::Entity::find()
        .select_only()
        .column(skip_audit::Column::Id)
        .filter(skip_audit::Column::ClusterId.eq(cluster_id))
        .order_by_desc(skip_audit::Column::Id)
        .offset(keep.saturating_sub(1))
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    if let Some(id) = oldest_kept {
        skip_audit::Entity::delete_many()
            .filter(skip_audit::Column::ClusterId.eq(cluster_id))
            .filter(skip_audit::Column::Id.lt(id))
            .exec(db)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Skips a test for a cluster, replacing any skip already in place
    /// (its reason, expiry, nodes; "last matched" starts over), and records it,
    /// keeping the cluster's newest `keep_audit` audit entries.
    pub async fn skip_test(
        &self,
        cluster_id: &str,
        test_id: &str,
        skip: &CheckedSkip,
        by: &str,
        keep_audit: u64,
    ) -> Result<skipped_test::Model> {
        let now = Utc::now();
        let row = skipped_test::Model {
            cluster_id: cluster_id.to_string(),
            test_id: test_id.to_string(),
            reason: skip.reason.clone(),
            created_by: by.to_string(),
            created_at: now,
            expires_at: skip.expires_at,
            nodes: encode_nodes(&skip.nodes),
            last_matched_at: None,
        };
        // write before reading: on SQLite a transaction that reads and then
        // writes fails at once when another connection wrote meanwhile
        let txn = self.db.begin().await?;
        let entry = audit(&row, SkipAction::Skip, false, by, now)
            .insert(&txn)
            .await?;
        let replaced =
            skipped_test::Entity::find_by_id((cluster_id.to_string(), test_id.to_string()))
                .one(&txn)
                .await?
                .is_some();
        use skipped_test::Column as C;
        // an upsert, so two skips at once both succeed (the later one wins)
        skipped_test::Entity::insert(skipped_test::ActiveModel {
            cluster_id: Set(row.cluster_id.clone()),
            test_id: Set(row.test_id.clone()),
            reason: Set(row.reason.clone()),
            created_by: Set(row.created_by.clone()),
            created_at: Set(row.created_at),
            expires_at: Set(row.expires_at),
            nodes: Set(row.nodes.clone()),
            last_matched_at: Set(None),
        })
        .on_conflict(
            OnConflict::columns([C::ClusterId, C::TestId])
                .update_columns([
                    C::Reason,
                    C::CreatedBy,
                    C::CreatedAt,
                    C::ExpiresAt,
                    C::Nodes,
                    C::LastMatchedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        if replaced {
            let mut entry = entry.into_active_model();
            entry.replaced = Set(true);
            entry.update(&txn).await?;
        }
        trim_audit(&txn, cluster_id, keep_audit).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Removes a skip and records it (keeping the newest `keep_audit` audit
    /// entries). False (and nothing recorded) when the test was not skipped.
    pub async fn unskip_test(
        &self,
        cluster_id: &str,
        test_id: &str,
        by: &str,
        keep_audit: u64,
    ) -> Result<bool> {
        let Some(before) =
            skipped_test::Entity::find_by_id((cluster_id.to_string(), test_id.to_string()))
                .one(&self.db)
                .await?
        else {
            return Ok(false);
        };
        // the delete comes first in the transaction (see `skip_test`), and takes
        // only the skip just read: one replaced meanwhile stays
        let txn = self.db.begin().await?;
        let gone = skipped_test::Entity::delete_many()
            .filter(skipped_test::Column::ClusterId.eq(cluster_id))
            .filter(skipped_test::Column::TestId.eq(test_id))
            .filter(skipped_test::Column::CreatedAt.eq(before.created_at))
            .exec(&txn)
            .await?;
        if gone.rows_affected != 1 {
            return Ok(false);
        }
        audit(&before, SkipAction::Unskip, false, by, Utc::now())
            .insert(&txn)
            .await?;
        trim_audit(&txn, cluster_id, keep_audit).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// A cluster's skipped tests, expired ones included.
    pub async fn skipped_tests(&self, cluster_id: &str) -> Result<Vec<skipped_test::Model>> {
        Ok(skipped_test::Entity::find()
            .filter(skipped_test::Column::ClusterId.eq(cluster_id))
            .order_by_asc(skipped_test::Column::TestId)
            .all(&self.db)
            .await?)
    }

    /// The audit trail of a cluster (of one test when given), newest first,
    /// after the entry `after` (exclusive), at most `first` entries.
    pub async fn skip_audit(
        &self,
        cluster_id: &str,
        test_id: Option<&str>,
        first: u64,
        after: Option<i64>,
    ) -> Result<AuditPage> {
        let mut q = skip_audit::Entity::find().filter(skip_audit::Column::ClusterId.eq(cluster_id));
        if let Some(t) = test_id {
            q = q.filter(skip_audit::Column::TestId.eq(t));
        }
        if let Some(a) = after {
            q = q.filter(skip_audit::Column::Id.lt(a));
        }
        let mut entries = q
            .order_by_desc(skip_audit::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let has_next = entries.len() as u64 > first;
        entries.truncate(first as usize);
        Ok(AuditPage { entries, has_next })
    }
}
