//! Report queries and deletion.

use super::context::{principal, report_for, state, uuid};
use super::errors::{coded, gql};
use super::types::Report;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, Result, ID};

/// Most reports in one page.
const MAX_PAGE: i32 = 100;

/// Report queries.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// One report; NOT_FOUND when unknown or not the caller's.
    async fn report(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Report>> {
        Ok(Some(Report(report_for(ctx, &id).await?)))
    }

    /// Reports newest first, as a Relay connection; `after` is an edge's cursor.
    #[graphql(
        complexity = "super::paging::list_cost(first, 20, MAX_PAGE as usize, child_complexity)"
    )]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        cluster_id: Option<ID>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Report>> {
        let p = principal(ctx)?;
        let first = first.unwrap_or(20);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(coded(
                "BAD_USER_INPUT",
                format!("first must be between 0 and {MAX_PAGE}"),
            ));
        }
        let cluster = state(ctx)
            .listing_scope(cluster_id.as_ref().map(|c| c.as_str()), p)
            .await
            .map_err(gql)?;
        let after = after.map(|a| uuid(&ID(a), "cursor")).transpose()?;
        let page = state(ctx)
            .store()
            .reports(cluster.as_deref(), first as u64, after)
            .await
            .map_err(gql)?;
        let mut conn = Connection::new(after.is_some(), page.has_next);
        for row in page.reports {
            let header = state(ctx).reports.remember(row).map_err(gql)?;
            conn.edges
                .push(Edge::new(header.id.to_string(), Report(header)));
        }
        Ok(conn)
    }
}

/// Report mutations.
#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Deletes a report and its results; a second delete is NOT_FOUND.
    async fn delete_report(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let p = principal(ctx)?;
        let id = uuid(&id, "report")?;
        state(ctx).delete_report(id, p).await.map_err(gql)?;
        Ok(true)
    }
}
