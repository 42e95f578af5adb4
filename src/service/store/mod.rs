//! The only place with database queries. SQLite by default, PostgreSQL in production.

pub mod check_states;
mod clusters;
pub mod entity;
mod fleet;
mod history;
pub mod listen;
mod monitoring;
pub mod node_codec;
mod node_ranges;
mod report_document;
pub use report_document::{report_head, stored_mode, stored_provider};
mod report_names;
mod reports;
mod scans;
mod schedules;
mod skips;
mod tokens;

pub use fleet::CheckStateRow;
pub use monitoring::{ScanGroup, SkipRow};
pub use reports::{ReportPage, StoredCheck};
pub use skips::AuditPage;
pub use tokens::{NewToken, Revoked};

use crate::error::{Error, Result};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

/// How long a command-line tool waits for a database connection (a free one from
/// the pool, or a new one); the service takes its own from the settings
/// (`database.acquire_timeout`). Short on purpose: when the database is
/// down, sqlx keeps retrying refused connections until this runs out.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects (creating a SQLite file and its directory when needed) and runs migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, ACQUIRE_TIMEOUT).await
    }

    /// [`Store::connect`] with requests waiting at most `acquire_timeout` for a connection.
    pub async fn connect_with(url: &str, acquire_timeout: Duration) -> Result<Self> {
        if let Some(path) = sqlite_path(url) {
            if let Some(dir) = std::path::Path::new(&path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
        }
        let mut opts = ConnectOptions::new(url.to_string());
        opts.max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
            .connect_timeout(acquire_timeout)
            .acquire_timeout(acquire_timeout)
            .sqlx_logging(false);
        let db = Database::connect(opts)
            .await
            .map_err(|e| Error::Database(format!("cannot connect to the database: {e}")))?;
        if url.starts_with("sqlite") {
            // WAL lets readers proceed while a report is written; foreign keys enable cascades.
            for pragma in [
                "PRAGMA journal_mode=WAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ] {
                db.execute_unprepared(pragma).await?;
            }
        }
        let store = Store { db };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None)
            .await
            .map_err(|e| Error::Database(format!("migration failed: {e}")))
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    /// How many bytes the database takes: SQLite's pages in use (page count × page
    /// size, the write-ahead log not counted), PostgreSQL's `pg_database_size`.
    pub async fn database_bytes(&self) -> Result<i64> {
        use sea_orm::{DbBackend, Statement};
        let backend = self.db.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => "SELECT pg_database_size(current_database())::bigint AS bytes",
            _ => "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
        };
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, sql))
            .await?
            .ok_or_else(|| {
                crate::Error::Internal("the database size query answered no row".into())
            })?;
        Ok(row.try_get::<i64>("", "bytes")?)
    }

    /// Sends a PostgreSQL notification (used to relay progress between replicas).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        use sea_orm::{DbBackend, Statement};
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [channel.into(), payload.into()],
            ))
            .await?;
        Ok(())
    }
}

/// The file path of a sqlite URL, if it is one with a file.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}
