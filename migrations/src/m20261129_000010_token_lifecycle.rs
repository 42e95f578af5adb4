//! Token lifecycle: a token gets a name (the unused `description` column, renamed),
//! an optional expiry, a revocation time and the time it was last used.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tokens {
    Table,
    Description,
    Name,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tokens::Table)
                .rename_column(Tokens::Description, Tokens::Name)
                .to_owned(),
        )
        .await?;
        // one column per statement: SQLite alters one thing at a time
        for col in [Tokens::ExpiresAt, Tokens::RevokedAt, Tokens::LastUsedAt] {
            m.alter_table(
                Table::alter()
                    .table(Tokens::Table)
                    .add_column(ColumnDef::new(col).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Tokens::LastUsedAt, Tokens::RevokedAt, Tokens::ExpiresAt] {
            m.alter_table(
                Table::alter()
                    .table(Tokens::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Tokens::Table)
                .rename_column(Tokens::Name, Tokens::Description)
                .to_owned(),
        )
        .await
    }
}
