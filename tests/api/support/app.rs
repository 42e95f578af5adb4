//! `spawn_app()`: the real service on a random port with a fresh database
//! (SQLite temp file, or a new PostgreSQL database when TEST_DATABASE_URL is set).

use crate::support::wait::{wait_for, EVENT};
use cis_scan::service::settings::Settings;
use cis_scan::sources::{ClusterSource, SnapshotSource};
use cis_scan::{api::app::Application, service::clusters::ExtraCluster};
use serde_json::{json, Value};
use std::sync::Arc;

/// A running service and what tests need to talk to it.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub admin: String,
    pub client: reqwest::Client,
    pub state: Arc<cis_scan::service::Service>,
    pub server: actix_web::dev::ServerHandle,
    /// The app's database, for tests that reach it directly.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

/// Settings for a test: port 0, the given database, the demo cluster.
pub fn settings(db_url: &str) -> Settings {
    use std::time::Duration;
    let mut s = Settings::load(None).expect("default settings");
    s.server.listen = "127.0.0.1:0".into();
    s.database.url = db_url.into();
    s.encryption.key = Some("CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=".into());
    s.kubernetes.poll_interval = Duration::from_millis(20);
    // the fake API servers listen on 127.0.0.1; the tests of the loopback rule clear it
    s.kubernetes.allow_loopback_servers = true;
    // long enough that a loaded machine never stalls a live scan's renewals (every third
    // of it) past it; the tests of expired claims set 1 s themselves
    s.scans.lease = Duration::from_secs(10);
    s.alerts.backoff = Duration::from_millis(50);
    s.alerts.retries = 2;
    // Limits tuned in production for a fast answer, set here for a loaded test machine:
    // a new PostgreSQL connection may take seconds while a release build runs beside the
    // tests, and a browser page sends several requests at once. The tests of these limits
    // set their own values.
    s.database.acquire_timeout = Duration::from_secs(30);
    s.limits.client_concurrency = 16;
    s.limits.request_timeout = Duration::from_secs(120);
    s
}

/// The file in a test's directory naming the PostgreSQL database made for it.
const PG_MARKER: &str = "postgres-test-database";

/// Drops the PostgreSQL database whose name `dir` holds, if any: on its own thread and
/// runtime, since tests drop their app inside the actix runtime.
fn drop_test_database(dir: &std::path::Path) {
    let (Ok(name), Ok(base)) = (
        std::fs::read_to_string(dir.join(PG_MARKER)),
        std::env::var("TEST_DATABASE_URL"),
    ) else {
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

impl Drop for TestApp {
    fn drop(&mut self) {
        drop_test_database(self._dir.path());
    }
}

/// A fresh, empty database URL.
pub async fn fresh_database(dir: &std::path::Path) -> String {
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
            // the TestApp that ends up owning `dir` drops the database when it is dropped
            std::fs::write(dir.join(PG_MARKER), &name).expect("remember the test database");
            let (prefix, _) = base.rsplit_once('/').expect("database URL with a path");
            format!("{prefix}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("cis-scan.db").display()),
    }
}

/// Another cluster (id "other") alongside the demo, for owner tests.
pub fn other_cluster() -> ExtraCluster {
    ExtraCluster {
        id: "other".into(),
        name: "Other".into(),
        source: Arc::new(SnapshotSource::open("builtin:demo").unwrap()),
    }
}

/// The service with the demo cluster and `extra` clusters.
pub async fn spawn_app_with(extra: Vec<ExtraCluster>) -> TestApp {
    let dir = tempfile::TempDir::new().unwrap();
    let db_url = fresh_database(dir.path()).await;
    spawn_on(db_url, extra, dir).await
}

/// The service on an existing database (for restarts).
pub async fn spawn_on(db_url: String, extra: Vec<ExtraCluster>, dir: tempfile::TempDir) -> TestApp {
    spawn_with(settings(&db_url), extra, dir).await
}

/// An HTTP client for tests that opens a connection per request: a pooled connection
/// left idle while a test waits (a long scan) can be closed by the server's keep-alive
/// timeout just as the client sends on it, which fails the request with "connection
/// reset" or "incomplete message" under load. Loopback connections are cheap.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client")
}

/// The service with these settings.
pub async fn spawn_with(
    settings: Settings,
    extra: Vec<ExtraCluster>,
    dir: tempfile::TempDir,
) -> TestApp {
    let database_url = secrecy::ExposeSecret::expose_secret(&settings.database.url).to_string();
    let app = Application::build_with(settings, extra)
        .await
        .expect("build app");
    let port = app.port();
    let state = app.state.clone();
    let server = app.into_server().expect("server");
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let admin = cis_scan::service::auth::create_token(state.store(), None)
        .await
        .unwrap();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        admin,
        client: client(),
        state,
        server: handle,
        database_url,
        _dir: dir,
    }
}

/// The service with the demo cluster and the "other" cluster.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(vec![other_cluster()]).await
}

impl TestApp {
    /// POSTs a GraphQL request with a token (or none).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    /// POSTs a GraphQL request as the administrator.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.admin), query, variables).await
    }

    /// Runs a query that must succeed; returns `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let r = self.gql(query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }

    /// The body of GET `path` (e.g. "/metrics") with the admin token.
    pub async fn admin_text(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Starts a scan and waits for it to end; returns the final scan object.
    pub async fn scan_to_end(&self, cluster: &str) -> Value {
        let d = self
            .ok(
                "mutation($c: ID!) { runScan(clusterId: $c) { id state } }",
                json!({ "c": cluster }),
            )
            .await;
        let id = d["runScan"]["id"].as_str().unwrap().to_string();
        self.wait_scan(&id).await
    }

    /// Publishes a probe event of `cluster` (scan id nil, QUEUED) every 20 ms
    /// until a subscription counting into `seen` received one: from then on
    /// that subscription is live and misses nothing.
    pub async fn probe_until_seen(&self, cluster: &str, seen: &crate::support::ws::Seen) {
        use cis_scan::service::domain::{ScanPhase, ScanState};
        wait_for("the subscription to receive a probe", EVENT, || {
            let live = seen.count() > 0;
            if !live {
                let probe = cis_scan::service::scan::event(
                    uuid::Uuid::nil(),
                    cluster,
                    ScanPhase::Queued,
                    ScanState::Queued,
                    "probe",
                );
                self.state.scanner.progress.publish(probe);
            }
            async move { live.then_some(()) }
        })
        .await;
    }

    /// A scan's state.
    pub async fn scan_state(&self, id: &str) -> String {
        self.ok(
            "query($id: ID!) { scan(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await["scan"]["state"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Polls (bounded) until a scan reaches `want`.
    pub async fn wait_state(&self, id: &str, want: &str) {
        wait_for(&format!("scan {id} to reach {want}"), EVENT, || async {
            (self.scan_state(id).await == want).then_some(())
        })
        .await;
    }

    /// Polls a scan until it is final (bounded).
    pub async fn wait_scan(&self, id: &str) -> Value {
        wait_for(&format!("scan {id} to finish"), EVENT, || async {
            let d = self
                .ok(
                    "query($id: ID!) { scan(id: $id) { id state message report { id } } }",
                    json!({ "id": id }),
                )
                .await;
            let st = d["scan"]["state"].as_str().unwrap();
            (!["QUEUED", "RUNNING"].contains(&st)).then(|| d["scan"].clone())
        })
        .await
    }
}

/// The `extensions.code` of the first error.
pub fn code(v: &Value) -> String {
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
        .to_string()
}

/// A source that waits for `release` before gathering, to hold a scan RUNNING.
pub struct GatedSource {
    pub inner: SnapshotSource,
    pub gate: Arc<tokio::sync::Semaphore>,
}

impl GatedSource {
    /// A cluster "gated" over a gated demo, and its gate (add permits to let scans through).
    pub fn cluster() -> (ExtraCluster, Arc<tokio::sync::Semaphore>) {
        let (source, gate) = Self::demo();
        (
            ExtraCluster {
                id: "gated".into(),
                name: "Gated".into(),
                source,
            },
            gate,
        )
    }

    /// A gated demo cluster and the gate (add permits to let scans through).
    pub fn demo() -> (Arc<Self>, Arc<tokio::sync::Semaphore>) {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        (
            Arc::new(GatedSource {
                inner: SnapshotSource::open("builtin:demo").unwrap(),
                gate: gate.clone(),
            }),
            gate,
        )
    }
}

#[async_trait::async_trait]
impl ClusterSource for GatedSource {
    fn describe(&self) -> String {
        "gated demo".into()
    }
    fn kubernetes_version(&self) -> Option<String> {
        self.inner.kubernetes_version()
    }
    async fn gather(
        &self,
        scan: uuid::Uuid,
        progress: cis_scan::sources::NodeProgress<'_>,
    ) -> cis_scan::Result<cis_scan::sources::Gathered> {
        self.gate.acquire().await.expect("gate").forget();
        self.inner.gather(scan, progress).await
    }
}
