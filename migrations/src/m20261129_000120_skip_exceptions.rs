//! Issue 12: exceptions (skips) that expire, apply to some nodes only and
//! remember when they last hid a result, and an audit trail of every skip and
//! unskip.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SkippedTests {
    Table,
    ExpiresAt,
    Nodes,
    LastMatchedAt,
}

#[derive(DeriveIden)]
enum SkipAudit {
    Table,
    Id,
    ClusterId,
    TestId,
    Action,
    Replaced,
    Actor,
    At,
    Reason,
    ExpiresAt,
    Nodes,
}

fn moment(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // one column per statement: SQLite alters one thing at a time
        let columns = [
            moment(SkippedTests::ExpiresAt),
            // the node names as a JSON array; null = every node
            ColumnDef::new(SkippedTests::Nodes).text().null().to_owned(),
            moment(SkippedTests::LastMatchedAt),
        ];
        for mut c in columns {
            m.alter_table(
                Table::alter()
                    .table(SkippedTests::Table)
                    .add_column(&mut c)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(SkipAudit::Table)
                .col(
                    ColumnDef::new(SkipAudit::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(SkipAudit::ClusterId).string().not_null())
                .col(ColumnDef::new(SkipAudit::TestId).string().not_null())
                .col(ColumnDef::new(SkipAudit::Action).string().not_null())
                .col(
                    ColumnDef::new(SkipAudit::Replaced)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(ColumnDef::new(SkipAudit::Actor).string().not_null())
                .col(
                    ColumnDef::new(SkipAudit::At)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(SkipAudit::Reason).text().null())
                .col(moment(SkipAudit::ExpiresAt))
                .col(ColumnDef::new(SkipAudit::Nodes).text().null())
                .to_owned(),
        )
        .await?;
        // pages are read per cluster, newest (highest id) first
        m.create_index(
            Index::create()
                .name("idx_skip_audit_cluster")
                .table(SkipAudit::Table)
                .col(SkipAudit::ClusterId)
                .col(SkipAudit::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SkipAudit::Table).to_owned())
            .await?;
        for c in [
            SkippedTests::LastMatchedAt,
            SkippedTests::Nodes,
            SkippedTests::ExpiresAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(SkippedTests::Table)
                    .drop_column(c)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
