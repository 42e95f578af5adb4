//! Skipping and unskipping tests for a cluster (skips that may expire
//! and be limited to some nodes), and the audit trail of both.

use super::context::{cluster_for, principal, state};
use super::errors::{coded, gql};
use super::paging::LIST_ESTIMATE;
use super::skipped_test::SkippedTest;
use crate::service::skip_rules::{decode_nodes, SkipAction};
use crate::service::skips::SkipRequest;
use crate::service::store::entity::skip_audit;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

/// Most audit entries in one page.
pub const MAX_PAGE: i32 = 100;

/// One entry of the audit trail: a skip (new or replacing one) or an unskip.
pub struct SkipAuditEntry(pub skip_audit::Model);

#[Object]
impl SkipAuditEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cluster_id(&self) -> ID {
        ID(self.0.cluster_id.clone())
    }
    async fn test_id(&self) -> &str {
        &self.0.test_id
    }
    async fn action(&self) -> SkipAction {
        self.0.action
    }
    /// True for a skip that replaced an exception already in place.
    async fn replaced(&self) -> bool {
        self.0.replaced
    }
    /// Who did it: the token's name, as `skippedBy`.
    async fn by(&self) -> &str {
        &self.0.actor
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// For a skip, the new exception's reason; for an unskip, the removed one's.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// The nodes the exception covered; empty = every node.
    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let nodes = decode_nodes(self.0.nodes.as_deref(), &self.0.test_id).map_err(gql)?;
        super::cost::charge_list(ctx, nodes.len(), 1)?;
        Ok(nodes)
    }
}

/// A cluster's audit trail, newest first; `after` is an edge's cursor.
pub async fn audit_page(
    ctx: &Context<'_>,
    cluster_id: &str,
    test_id: Option<&str>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, SkipAuditEntry>> {
    let first = first.unwrap_or(20);
    if !(0..=MAX_PAGE).contains(&first) {
        return Err(coded(
            "BAD_USER_INPUT",
            format!("first must be between 0 and {MAX_PAGE}"),
        ));
    }
    let after = after
        .map(|a| {
            a.parse::<i64>()
                .map_err(|_| coded("BAD_USER_INPUT", "'after' is not a valid cursor"))
        })
        .transpose()?;
    let page = state(ctx)
        .store()
        .skip_audit(cluster_id, test_id, first as u64, after)
        .await
        .map_err(gql)?;
    let mut conn = Connection::new(after.is_some(), page.has_next);
    conn.edges.extend(
        page.entries
            .into_iter()
            .map(|e| Edge::new(e.id.to_string(), SkipAuditEntry(e))),
    );
    Ok(conn)
}

/// Skip queries.
#[derive(Default)]
pub struct SkipQuery;

#[Object]
impl SkipQuery {
    /// Tests skipped for a cluster, expired exceptions included (until unskipped).
    #[graphql(complexity = "LIST_ESTIMATE * child_complexity + 1")]
    async fn skipped_tests(&self, ctx: &Context<'_>, cluster_id: ID) -> Result<Vec<SkippedTest>> {
        let c = cluster_for(ctx, &cluster_id).await?;
        let rows = state(ctx).store().skipped_tests(&c.id).await.map_err(gql)?;
        super::cost::charge_list(ctx, rows.len(), LIST_ESTIMATE)?;
        Ok(rows.into_iter().map(SkippedTest).collect())
    }

    /// Every skip, replaced skip and unskip of a cluster's tests (of one test
    /// when `testId` is given), newest first, as a Relay connection.
    #[graphql(
        complexity = "super::paging::list_cost(first, 20, MAX_PAGE as usize, child_complexity)"
    )]
    async fn skip_audit(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        test_id: Option<String>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SkipAuditEntry>> {
        let c = cluster_for(ctx, &cluster_id).await?;
        audit_page(ctx, &c.id, test_id.as_deref(), first, after).await
    }
}

/// Skip mutations.
#[derive(Default)]
pub struct SkipMutation;

#[Object]
impl SkipMutation {
    /// Skips a test: the next scans of the cluster report it as SKIP with the
    /// reason, on the given nodes only (every node when none are given), until
    /// `expiresAt` (forever when not given). Nodes are named as in reports (a
    /// cluster-wide check's one result is `cluster`). Skipping a skipped test
    /// replaces its exception. Recorded in the audit trail.
    async fn skip_test(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        test_id: String,
        reason: Option<String>,
        expires_at: Option<DateTime<Utc>>,
        nodes: Option<Vec<String>>,
    ) -> Result<SkippedTest> {
        let p = principal(ctx)?;
        let asked = SkipRequest {
            reason,
            expires_at,
            nodes: nodes.unwrap_or_default(),
        };
        let row = state(ctx)
            .skip_test(&cluster_id, &test_id, asked, p)
            .await
            .map_err(gql)?;
        Ok(SkippedTest(row))
    }

    /// Undoes a skip for the next scans (recorded in the audit trail). False
    /// when the test was not skipped; then nothing is recorded.
    async fn unskip_test(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        test_id: String,
    ) -> Result<bool> {
        let p = principal(ctx)?;
        state(ctx)
            .unskip_test(&cluster_id, &test_id, p)
            .await
            .map_err(gql)
    }
}
