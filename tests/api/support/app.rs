//! The real service on port 0 with a database of its own, built by one builder:
//! `spawn_app()` for the usual case, `TestApp::builder()....spawn()` for a test
//! that needs other settings, clusters, or another replica's database.

use crate::support::database::TestDatabase;
use cis_scan::service::settings::Settings;
use cis_scan::sources::{ClusterSettings, SnapshotSource};
use cis_scan::{api::app::Application, service::clusters::ExtraCluster};
use std::sync::Arc;
use std::time::Duration;

/// A running service and what tests need to talk to it.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub admin: String,
    pub client: reqwest::Client,
    pub state: Arc<cis_scan::service::Service>,
    pub server: actix_web::dev::ServerHandle,
    /// The app's database: give it to [`TestAppBuilder::database`] for a replica or a restart.
    pub database: Arc<TestDatabase>,
    /// Its URL, for tests that reach the database directly.
    pub database_url: String,
}

/// The service with the demo cluster and the "other" cluster, test settings.
pub async fn spawn_app() -> TestApp {
    TestApp::builder().cluster(other_cluster()).spawn().await
}

/// Another cluster (id "other") alongside the demo, for owner tests.
pub fn other_cluster() -> ExtraCluster {
    ExtraCluster {
        id: "other".into(),
        name: "Other".into(),
        source: Arc::new(SnapshotSource::open("builtin:demo").unwrap()),
    }
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

/// What a [`TestApp`] is started with: the test settings, each change a method.
pub struct TestAppBuilder {
    settings: Settings,
    extra: Vec<ExtraCluster>,
    database: Option<Arc<TestDatabase>>,
}

impl TestApp {
    /// A second replica on this app's database that confirms a report still exists on
    /// every read (no time in memory), so a test of deletions does not depend on time.
    pub async fn replica_confirming_every_read(&self) -> TestApp {
        TestApp::builder()
            .database(&self.database)
            .report_cache_recheck(Duration::ZERO)
            .without_scheduler()
            .spawn()
            .await
    }

    /// The demo cluster on a fresh database with the test settings: the embedded
    /// defaults, with limits for a loaded test machine and fast collector polling.
    pub fn builder() -> TestAppBuilder {
        let mut s = Settings::load(None).expect("default settings");
        s.server.listen = "127.0.0.1:0".into();
        s.encryption.key = Some("CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=".into());
        s.kubernetes.poll_interval = Duration::from_millis(20);
        // the fake API servers listen on 127.0.0.1; the tests of the loopback rule refuse it
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
        TestAppBuilder {
            settings: s,
            extra: Vec::new(),
            database: None,
        }
    }
}

impl TestAppBuilder {
    /// Adds a cluster given in code (a gated, live or large source).
    pub fn cluster(mut self, cluster: ExtraCluster) -> Self {
        self.extra.push(cluster);
        self
    }

    /// Adds clusters given in code.
    pub fn clusters(mut self, clusters: impl IntoIterator<Item = ExtraCluster>) -> Self {
        self.extra.extend(clusters);
        self
    }

    /// Adds a cluster to the configuration, as `[[clusters]]` in a file would.
    pub fn configured_cluster(mut self, cluster: ClusterSettings) -> Self {
        self.settings.clusters.push(cluster);
        self
    }

    /// The benchmark the configured demo cluster names (`benchmark = ...`).
    pub fn demo_benchmark(mut self, benchmark: &str) -> Self {
        self.settings.clusters[0].benchmark = Some(benchmark.into());
        self
    }

    /// Runs on `database` (another replica's, or the one a stopped app left) instead
    /// of a fresh one.
    pub fn database(mut self, database: &Arc<TestDatabase>) -> Self {
        self.database = Some(database.clone());
        self
    }

    /// `[limits] client_concurrency`.
    pub fn client_concurrency(mut self, places: usize) -> Self {
        self.settings.limits.client_concurrency = places;
        self
    }

    /// `[limits] max_response_bytes`.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.settings.limits.max_response_bytes = bytes;
        self
    }

    /// `[limits] request_timeout`.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.limits.request_timeout = timeout;
        self
    }

    /// `[database] acquire_timeout`.
    pub fn database_acquire_timeout(mut self, timeout: Duration) -> Self {
        self.settings.database.acquire_timeout = timeout;
        self
    }

    /// `[server] max_body_bytes`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.settings.server.max_body_bytes = bytes;
        self
    }

    /// `[websocket] init_timeout`.
    pub fn websocket_init_timeout(mut self, timeout: Duration) -> Self {
        self.settings.websocket.init_timeout = timeout;
        self
    }

    /// `[websocket] connections_per_client`.
    pub fn websocket_connections_per_client(mut self, sockets: usize) -> Self {
        self.settings.websocket.connections_per_client = sockets;
        self
    }

    /// `[websocket] operations_per_connection`.
    pub fn websocket_operations_per_connection(mut self, operations: usize) -> Self {
        self.settings.websocket.operations_per_connection = operations;
        self
    }

    /// `[report_cache] bytes`.
    pub fn report_cache_bytes(mut self, bytes: u64) -> Self {
        self.settings.report_cache.bytes = bytes;
        self
    }

    /// `[report_cache] recheck`.
    pub fn report_cache_recheck(mut self, after: Duration) -> Self {
        self.settings.report_cache.recheck = after;
        self
    }

    /// `[schedules] run = false`: an API-only replica.
    pub fn without_scheduler(mut self) -> Self {
        self.settings.schedules.run = false;
        self
    }

    /// `[schedules] min_interval`.
    pub fn min_schedule_interval(mut self, interval: Duration) -> Self {
        self.settings.schedules.min_interval = interval;
        self
    }

    /// `[skips] audit_entries_per_cluster`.
    pub fn skip_audit_entries_per_cluster(mut self, entries: u64) -> Self {
        self.settings.skips.audit_entries_per_cluster = entries;
        self
    }

    /// `[scans] lease`.
    pub fn scan_lease(mut self, lease: Duration) -> Self {
        self.settings.scans.lease = lease;
        self
    }

    /// `[metrics] token`.
    pub fn metrics_token(mut self, token: &str) -> Self {
        self.settings.metrics.token = Some(token.into());
        self
    }

    /// `[alerts] webhooks`.
    pub fn alert_webhooks(mut self, urls: &[&str]) -> Self {
        self.settings.alerts.webhooks = urls.iter().map(|u| (*u).into()).collect();
        self
    }

    /// `[retention] manual`.
    pub fn manual_retention(mut self, reports: u64) -> Self {
        self.settings.retention.manual = reports;
        self
    }

    /// `[kubernetes] allow_loopback_servers = false`, as an operator runs it.
    pub fn refusing_loopback_servers(mut self) -> Self {
        self.settings.kubernetes.allow_loopback_servers = false;
        self
    }

    /// What the service is started with, for tests that start it themselves
    /// ([`crate::support::doomed::Doomed`]) or only check the settings; the database
    /// stays while the returned `Arc` is held.
    pub async fn into_parts(self) -> (Settings, Vec<ExtraCluster>, Arc<TestDatabase>) {
        let database = match self.database {
            Some(d) => d,
            None => TestDatabase::fresh().await,
        };
        let mut settings = self.settings;
        settings.database.url = database.url.clone().into();
        (settings, self.extra, database)
    }

    /// Starts the service and creates an administrator token.
    pub async fn spawn(self) -> TestApp {
        let (settings, extra, database) = self.into_parts().await;
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
            database_url: database.url.clone(),
            database,
        }
    }
}
