//! Schedules, the ticks they fired (claimed once across replicas), and the
//! columns that tie scans and reports to a schedule and a claiming replica.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schedules {
    Table,
    Id,
    ClusterId,
    Cron,
    Timezone,
    Retention,
    Benchmark,
    AlertOnFailure,
    AlertOnComplete,
    Enabled,
    NextRunAt,
    LastRunAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ScheduleTicks {
    Table,
    ScheduleId,
    TickAt,
    ClaimedBy,
}

#[derive(DeriveIden)]
enum Scans {
    Table,
    ScheduleId,
    ClaimedBy,
    LeaseUntil,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    ScheduleId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Schedules::Table)
                .col(
                    ColumnDef::new(Schedules::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Schedules::ClusterId).string().not_null())
                .col(ColumnDef::new(Schedules::Cron).string().not_null())
                .col(ColumnDef::new(Schedules::Timezone).string().not_null())
                .col(ColumnDef::new(Schedules::Retention).integer().not_null())
                .col(ColumnDef::new(Schedules::Benchmark).string())
                .col(
                    ColumnDef::new(Schedules::AlertOnFailure)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Schedules::AlertOnComplete)
                        .boolean()
                        .not_null(),
                )
                .col(ColumnDef::new(Schedules::Enabled).boolean().not_null())
                .col(
                    ColumnDef::new(Schedules::NextRunAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Schedules::LastRunAt).timestamp_with_time_zone())
                .col(ColumnDef::new(Schedules::CreatedBy).string().not_null())
                .col(
                    ColumnDef::new(Schedules::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ScheduleTicks::Table)
                .col(ColumnDef::new(ScheduleTicks::ScheduleId).uuid().not_null())
                .col(
                    ColumnDef::new(ScheduleTicks::TickAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(ScheduleTicks::ClaimedBy).string().not_null())
                // the unique key that makes a tick fire once, whatever the number of replicas
                .primary_key(
                    Index::create()
                        .col(ScheduleTicks::ScheduleId)
                        .col(ScheduleTicks::TickAt),
                )
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(Scans::ScheduleId).uuid().null().to_owned(),
            ColumnDef::new(Scans::ClaimedBy).string().null().to_owned(),
            ColumnDef::new(Scans::LeaseUntil)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Scans::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .add_column(ColumnDef::new(Reports::ScheduleId).uuid().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ScheduleTicks::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Schedules::Table).to_owned())
            .await
    }
}
