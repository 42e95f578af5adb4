//! Live clusters: encrypted kubeconfigs of registered clusters, and the
//! provider, collection mode and excluded nodes of each report.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clusters {
    Table,
    /// Encrypted kubeconfig of a cluster registered through the API.
    Secret,
    /// "config" for configured clusters, "api" for registered ones.
    Origin,
    Agentless,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Provider,
    Mode,
    Excluded,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement
        for col in [
            ColumnDef::new(Clusters::Secret).text().null().to_owned(),
            ColumnDef::new(Clusters::Origin)
                .string()
                .not_null()
                .default("config")
                .to_owned(),
            ColumnDef::new(Clusters::Agentless)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Clusters::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            ColumnDef::new(Reports::Provider).string().null().to_owned(),
            ColumnDef::new(Reports::Mode).string().null().to_owned(),
            ColumnDef::new(Reports::Excluded).text().null().to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["secret", "origin", "agentless"] {
            m.alter_table(
                Table::alter()
                    .table(Clusters::Table)
                    .drop_column(Alias::new(c))
                    .to_owned(),
            )
            .await?;
        }
        for c in ["provider", "mode", "excluded"] {
            m.alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .drop_column(Alias::new(c))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
