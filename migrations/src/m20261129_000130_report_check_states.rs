//! Each report's check states in one compact column, written when the report
//! is saved, so the fleet view reads one value per cluster instead of every
//! check row. Reports saved before it keep NULL and are read from their rows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    CheckStates,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .add_column(ColumnDef::new(Reports::CheckStates).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .drop_column(Reports::CheckStates)
                .to_owned(),
        )
        .await
    }
}
