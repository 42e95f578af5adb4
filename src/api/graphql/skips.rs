//! Skipping and unskipping tests for a cluster.

use super::context::{cluster_for, principal, state};
use super::errors::{coded, gql};
use super::types::SkippedTest;
use async_graphql::{Context, Object, Result, ID};

/// Longest skip reason kept.
const MAX_REASON: usize = 1000;

/// Skip queries.
#[derive(Default)]
pub struct SkipQuery;

#[Object]
impl SkipQuery {
    /// Tests skipped for a cluster.
    #[graphql(complexity = "super::types::LIST_ESTIMATE * child_complexity + 1")]
    async fn skipped_tests(&self, ctx: &Context<'_>, cluster_id: ID) -> Result<Vec<SkippedTest>> {
        let c = cluster_for(ctx, &cluster_id).await?;
        Ok(state(ctx)
            .store()
            .skipped_tests(&c.id)
            .await
            .map_err(gql)?
            .into_iter()
            .map(SkippedTest)
            .collect())
    }
}

/// Skip mutations.
#[derive(Default)]
pub struct SkipMutation;

/// The test must be a check of the benchmark the cluster is scanned with.
async fn check_test_id(ctx: &Context<'_>, cluster_id: &str, test_id: &str) -> Result<()> {
    state(ctx)
        .require_check(cluster_id, test_id)
        .await
        .map_err(gql)
}

#[Object]
impl SkipMutation {
    /// Skips a test: the next scans of the cluster report it as SKIP with the reason.
    async fn skip_test(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        test_id: String,
        reason: Option<String>,
    ) -> Result<SkippedTest> {
        let p = principal(ctx)?;
        let c = cluster_for(ctx, &cluster_id).await?;
        check_test_id(ctx, &c.id, &test_id).await?;
        if reason.as_ref().is_some_and(|r| r.len() > MAX_REASON) {
            return Err(coded(
                "BAD_USER_INPUT",
                format!("reason is longer than {MAX_REASON} characters"),
            ));
        }
        let row = state(ctx)
            .store()
            .skip_test(&c.id, &test_id, reason.as_deref(), &p.name())
            .await
            .map_err(gql)?;
        Ok(SkippedTest(row))
    }

    /// Undoes a skip for the next scans. False when the test was not skipped.
    async fn unskip_test(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        test_id: String,
    ) -> Result<bool> {
        let c = cluster_for(ctx, &cluster_id).await?;
        check_test_id(ctx, &c.id, &test_id).await?;
        state(ctx)
            .store()
            .unskip_test(&c.id, &test_id)
            .await
            .map_err(gql)
    }
}
