//! Issue 10: a cluster's own default benchmark, and "scored only" on scans,
//! schedules and the reports they write.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clusters {
    Table,
    Benchmark,
}

#[derive(DeriveIden)]
enum Scans {
    Table,
    ScoredOnly,
}

#[derive(DeriveIden)]
enum Schedules {
    Table,
    ScoredOnly,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    ScoredOnly,
}

fn flag(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // one column per statement: SQLite alters one thing at a time
        m.alter_table(
            Table::alter()
                .table(Clusters::Table)
                .add_column(ColumnDef::new(Clusters::Benchmark).string().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Scans::Table)
                .add_column(flag(Scans::ScoredOnly))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Schedules::Table)
                .add_column(flag(Schedules::ScoredOnly))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .add_column(flag(Reports::ScoredOnly))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let stmts = [
            Table::alter()
                .table(Reports::Table)
                .drop_column(Reports::ScoredOnly)
                .to_owned(),
            Table::alter()
                .table(Schedules::Table)
                .drop_column(Schedules::ScoredOnly)
                .to_owned(),
            Table::alter()
                .table(Scans::Table)
                .drop_column(Scans::ScoredOnly)
                .to_owned(),
            Table::alter()
                .table(Clusters::Table)
                .drop_column(Clusters::Benchmark)
                .to_owned(),
        ];
        for s in stmts {
            m.alter_table(s).await?;
        }
        Ok(())
    }
}
