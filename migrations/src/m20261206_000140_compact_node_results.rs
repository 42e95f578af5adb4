//! Compact node results: every check row's `nodes` rewritten from format 1 (a JSON
//! array with each node's whole result) to format 2 (each distinct result once
//! with the nodes sharing it, node names as indices into the report's `nodes`);
//! see `compact_nodes`. No schema change.
//!
//! Rows are read and rewritten `BATCH` at a time in id order, each batch in its
//! own transaction, so memory holds one batch whatever the database's size and
//! an interrupted run leaves a mix the service reads (it reads both formats);
//! the next start converts the rest (a converted row is left as it is). `down`
//! converts back, for an older binary, which reads only format 1.

use crate::compact_nodes::{to_v1, to_v2};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// Check rows per batch: a 1,000-node row in format 1 is about 150 KB.
const BATCH: u64 = 16;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CheckResults {
    Table,
    Id,
    ReportId,
    Nodes,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    Nodes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        convert(m, to_v2).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        convert(m, to_v1).await
    }

    /// Batches commit on their own (see the module's comment).
    fn use_transaction(&self) -> Option<bool> {
        Some(false)
    }
}

/// Rewrites every check row's `nodes` that `rewrite` converts (given its report's
/// node names), batch by batch.
async fn convert(
    m: &SchemaManager<'_>,
    rewrite: fn(&str, &[String]) -> Option<String>,
) -> Result<(), DbErr> {
    let mut after: i64 = i64::MIN;
    // the rows of a report are mostly consecutive: its names are parsed once
    let (mut names_text, mut names) = (String::new(), Vec::<String>::new());
    loop {
        let select = Query::select()
            .column((CheckResults::Table, CheckResults::Id))
            .column((CheckResults::Table, CheckResults::Nodes))
            .expr_as(
                Expr::col((Reports::Table, Reports::Nodes)),
                Alias::new("names"),
            )
            .from(CheckResults::Table)
            .inner_join(
                Reports::Table,
                Expr::col((Reports::Table, Reports::Id))
                    .equals((CheckResults::Table, CheckResults::ReportId)),
            )
            .and_where(Expr::col((CheckResults::Table, CheckResults::Id)).gt(after))
            .order_by((CheckResults::Table, CheckResults::Id), Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = m.get_connection().query_all(&select).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("", "id")?;
        let mut updates = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("", "id")?;
            let nodes: String = row.try_get("", "nodes")?;
            let report_names: String = row.try_get("", "names")?;
            if report_names != names_text {
                // a list that does not parse names nothing, as the service reads it
                names = serde_json::from_str(&report_names).unwrap_or_default();
                names_text = report_names;
            }
            if let Some(new) = rewrite(&nodes, &names) {
                updates.push((id, new));
            }
        }
        if updates.is_empty() {
            continue;
        }
        let txn = m.begin().await?;
        for (id, new) in updates {
            txn.exec_stmt(
                Query::update()
                    .table(CheckResults::Table)
                    .value(CheckResults::Nodes, new)
                    .and_where(Expr::col(CheckResults::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        txn.commit().await?;
    }
}
