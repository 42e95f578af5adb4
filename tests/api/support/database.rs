//! A database of its own for each test: a SQLite file in a temporary directory, or
//! a new PostgreSQL database when TEST_DATABASE_URL names a server. Replicas and
//! restarts share one by holding the same `Arc`; it goes when the last holder does.

use std::sync::Arc;

/// One test's database.
pub struct TestDatabase {
    /// sqlite://... or postgres://...: what the service and direct connections use.
    pub url: String,
    /// The PostgreSQL database made for the test (server URL, name): dropped with it.
    made: Option<(String, String)>,
    /// Holds the SQLite file.
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A new, empty database.
    pub async fn fresh() -> Arc<Self> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                use sea_orm::ConnectionTrait;
                let name = format!("cis_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&base)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let (prefix, _) = base.rsplit_once('/').expect("database URL with a path");
                Arc::new(TestDatabase {
                    url: format!("{prefix}/{name}"),
                    made: Some((base, name)),
                    _dir: None,
                })
            }
            _ => {
                let dir = tempfile::TempDir::new().expect("a temporary directory");
                Arc::new(TestDatabase {
                    url: format!(
                        "sqlite://{}?mode=rwc",
                        dir.path().join("cis-scan.db").display()
                    ),
                    made: None,
                    _dir: Some(dir),
                })
            }
        }
    }

    /// A database the test does not own (a throwaway server it started): never dropped here.
    pub fn at(url: &str) -> Arc<Self> {
        Arc::new(TestDatabase {
            url: url.to_string(),
            made: None,
            _dir: None,
        })
    }
}

/// Drops the PostgreSQL database made for the test, on its own thread and runtime,
/// since tests drop their app inside the actix runtime.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((base, name)) = self.made.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                use sea_orm::ConnectionTrait;
                if let Ok(admin) = sea_orm::Database::connect(&base).await {
                    // FORCE ends the app's pooled connections (PostgreSQL 13+)
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            })
        })
        .join();
    }
}
