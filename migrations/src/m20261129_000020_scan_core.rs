//! The scan core: why a report's benchmark was chosen, the final progress
//! counts of a scan, and the rule "at most one RUNNING scan per cluster"
//! enforced by the database (a partial unique index), so two replicas can
//! never both claim scans of one cluster.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    BenchmarkReason,
}

#[derive(DeriveIden)]
enum Scans {
    Table,
    NodesDone,
    NodesTotal,
    ChecksDone,
    ChecksTotal,
}

/// The index's name; the claim treats its violation as "not claimed".
const ONE_RUNNING: &str = "scans_one_running_per_cluster";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .add_column(ColumnDef::new(Reports::BenchmarkReason).text().null())
                .to_owned(),
        )
        .await?;
        // one column per statement: SQLite alters one thing at a time
        for col in [
            Scans::NodesDone,
            Scans::NodesTotal,
            Scans::ChecksDone,
            Scans::ChecksTotal,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Scans::Table)
                    .add_column(ColumnDef::new(col).integer().null())
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        // older versions could run two scans of one cluster at once: keep the
        // earliest RUNNING one, mark the others INTERRUPTED, so the index can be built
        db.execute_unprepared(
            "UPDATE scans SET state = 'INTERRUPTED', \
             message = 'another scan of this cluster was running; stopped when upgrading' \
             WHERE state = 'RUNNING' AND EXISTS (SELECT 1 FROM scans o \
             WHERE o.cluster_id = scans.cluster_id AND o.state = 'RUNNING' \
             AND (o.created_at < scans.created_at OR (o.created_at = scans.created_at AND o.id < scans.id)))",
        )
        .await?;
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX {ONE_RUNNING} ON scans (cluster_id) WHERE state = 'RUNNING'"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(&format!("DROP INDEX {ONE_RUNNING}"))
            .await?;
        for col in [
            Scans::ChecksTotal,
            Scans::ChecksDone,
            Scans::NodesTotal,
            Scans::NodesDone,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Scans::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .drop_column(Reports::BenchmarkReason)
                .to_owned(),
        )
        .await
    }
}
