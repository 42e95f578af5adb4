//! A test skipped for a cluster, as GraphQL shows it.

use super::context::state;
use super::errors::gql;
use super::loaders::{shared, Loaders};
use crate::service::store::entity::skipped_test;
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

fn loaders<'a>(ctx: &'a Context<'_>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// A test skipped for a cluster.
pub struct SkippedTest(pub skipped_test::Model);

#[Object]
impl SkippedTest {
    async fn cluster_id(&self) -> ID {
        ID(self.0.cluster_id.clone())
    }
    async fn test_id(&self) -> &str {
        &self.0.test_id
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn skipped_by(&self) -> &str {
        &self.0.created_by
    }
    async fn skipped_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the exception stops applying; null = never.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// The nodes whose results it skips; empty = every node.
    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let nodes =
            crate::service::skip_rules::decode_nodes(self.0.nodes.as_deref(), &self.0.test_id)
                .map_err(gql)?;
        super::cost::charge_list(ctx, nodes.len(), 1)?;
        Ok(nodes)
    }
    /// True once expired: scans no longer apply it; it stays listed until unskipped.
    async fn expired(&self, ctx: &Context<'_>) -> bool {
        crate::service::skip_rules::expired(&self.0, state(ctx).scanner.clock.now())
    }
    /// End of the last scan in which it turned a FAIL, WARN or ERROR into SKIP;
    /// null when it never did (an unused exception).
    async fn last_matched_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_matched_at
    }
    /// The nodes it names that the cluster's latest report does not have (a
    /// typo, or a node since removed): it hides nothing there. Empty when it
    /// names no nodes or the cluster has no report yet.
    async fn unknown_nodes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        use crate::service::skip_rules::{decode_nodes, unknown_nodes};
        let named = decode_nodes(self.0.nodes.as_deref(), &self.0.test_id).map_err(gql)?;
        if named.is_empty() {
            return Ok(named);
        }
        // at most as long as the skip's own node list
        super::cost::charge_list(ctx, named.len(), 1)?;
        // batched: a list of skips reads the latest report once per request
        let Some(latest) = loaders(ctx)
            .latest
            .load_one(self.0.cluster_id.clone())
            .await
            .map_err(shared)?
        else {
            return Ok(Vec::new());
        };
        // the header parsed once for a list: from memory when the cache holds it
        let reports = &state(ctx).reports;
        let header = match reports.cached_header(latest.id) {
            Some(h) => h,
            None => reports.remember(latest).map_err(gql)?,
        };
        let known = header
            .nodes
            .iter()
            .map(String::as_str)
            .chain(header.excluded.iter().map(|e| e.node.as_str()));
        Ok(unknown_nodes(&named, known))
    }
}
