//! Application start-up: database, clusters, scanner and HTTP server.
//! `Application::build` binds (port 0 in tests) and `run_until_stopped` serves.

use crate::benchmark::{Benchmark, Catalog};
use crate::error::{Error, Result};
use crate::scan::Scanner;
use crate::settings::Settings;
use crate::source::{self, ClusterSource};
use crate::store::Store;
use std::net::TcpListener;
use std::sync::Arc;

/// Shared state of the running service.
pub struct AppState {
    pub settings: Settings,
    pub scanner: Arc<Scanner>,
    pub scheduler: Arc<crate::schedule::Scheduler>,
    /// Token rows seen, trusted for a few seconds (revocation reaches every replica).
    tokens: crate::token_cache::TokenCache,
}

impl AppState {
    /// The store.
    pub fn store(&self) -> &Store {
        &self.scanner.store
    }

    /// The caller a bearer token names, or why it is refused.
    pub async fn authenticate(&self, token: &str) -> Result<crate::auth::AuthOutcome> {
        self.tokens.authenticate(self.store(), token).await
    }

    /// Fails with BAD_USER_INPUT unless `test_id` is a check of the cluster's benchmark.
    pub async fn require_check(&self, cluster_id: &str, test_id: &str) -> Result<()> {
        let benchmark = self.cluster_benchmark(cluster_id).await?;
        if benchmark.check(test_id).is_none() {
            return Err(Error::Invalid(format!(
                "'{test_id}' is not a check of {}, the benchmark of cluster '{cluster_id}'",
                benchmark.id
            )));
        }
        Ok(())
    }

    /// The benchmark a cluster is scanned with: from its Kubernetes version,
    /// else its newest report's, else the newest benchmark.
    pub async fn cluster_benchmark(&self, cluster_id: &str) -> Result<Arc<Benchmark>> {
        let catalog = &self.scanner.catalog;
        if let Some(v) = self
            .scanner
            .source(cluster_id)
            .and_then(|s| s.kubernetes_version())
        {
            if let Ok(b) = catalog.for_kubernetes_version(&v) {
                return Ok(b);
            }
        }
        if let Some(r) = self.store().latest_report(cluster_id).await? {
            if let Ok(b) = catalog.get(&r.benchmark) {
                return Ok(b);
            }
        }
        catalog.select(None, None)
    }
}

/// A cluster added by code rather than configuration (tests, live sources).
pub struct ExtraCluster {
    pub id: String,
    pub name: String,
    pub source: Arc<dyn ClusterSource>,
}

/// The built, not yet running, service.
pub struct Application {
    port: u16,
    listener: TcpListener,
    pub state: Arc<AppState>,
    schema: crate::graphql::AppSchema,
}

impl Application {
    /// Builds from settings.
    pub async fn build(settings: Settings) -> Result<Self> {
        Self::build_with(settings, Vec::new()).await
    }

    /// Builds from settings plus clusters given in code.
    pub async fn build_with(settings: Settings, extra: Vec<ExtraCluster>) -> Result<Self> {
        let store = Store::connect(&settings.database_url).await?;
        let catalog = Arc::new(match &settings.benchmark_dir {
            Some(d) => crate::definitions::load_dir(d)?,
            None => Catalog::embedded()?,
        });
        let scanner = Scanner::new(store.clone(), catalog);
        for (id, src) in sync_clusters(&store, &settings, extra).await? {
            scanner.register(&id, src);
        }
        for c in store.registered_clusters().await? {
            match registered_source(&settings, &c).await {
                Ok(src) => scanner.register(&c.id, src),
                Err(e) => {
                    // messages name fields, never values: safe to log and to show
                    tracing::error!(cluster = %c.id, "registered cluster cannot be scanned: {e}");
                    let reason = format!("the stored kubeconfig of registered cluster '{}' cannot be used: {e}; remove the cluster and register it again", c.id);
                    let label = format!("kubernetes registered cluster {}", c.id);
                    scanner.register(&c.id, Arc::new(source::UnusableSource { reason, label }));
                }
            }
        }
        scanner.set_hooks(crate::scan::Hooks {
            alerts: crate::alerts::Alerts::new(
                settings.alert_webhooks.clone(),
                settings.alert_retries,
                std::time::Duration::from_millis(settings.alert_backoff_ms),
            ),
            public_url: settings.public_url.clone(),
        });
        scanner.set_lease(std::time::Duration::from_secs_f64(
            settings.scan_lease_seconds.max(0.1),
        ));
        crate::scan::relay::start(&scanner, &settings.database_url).await;
        scanner.recover().await?;
        scanner.keep_reaping();
        let scheduler = crate::schedule::Scheduler::new(
            scanner.clone(),
            crate::schedule::ScheduleLimits::from_settings(&settings),
        );
        if settings.scheduler {
            scheduler.start().await?;
        }
        let listener = TcpListener::bind(settings.listen_addr()?)
            .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", settings.listen)))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Internal(e.to_string()))?
            .port();
        let state = Arc::new(AppState {
            settings: settings.clone(),
            scanner,
            scheduler,
            tokens: Default::default(),
        });
        let schema = crate::graphql::build(
            Some(state.clone()),
            settings.query_depth,
            settings.query_complexity,
        );
        if store.token_count().await? == 0 {
            eprintln!("cis-scan: no API tokens yet. Create the first administrator token with:\n  cis-scan token create --admin");
        }
        Ok(Application {
            port,
            listener,
            state,
            schema,
        })
    }

    /// The port bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The HTTP server, not yet polled (tests spawn it and keep its handle).
    pub fn into_server(self) -> std::io::Result<actix_web::dev::Server> {
        crate::http::server(self.listener, self.state, self.schema)
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.into_server()?.await
    }
}

/// Writes the configured (and extra) clusters to the database, marks others
/// inactive, and returns each cluster's source.
pub async fn sync_clusters(
    store: &Store,
    settings: &Settings,
    extra: Vec<ExtraCluster>,
) -> Result<Vec<(String, Arc<dyn ClusterSource>)>> {
    let mut out = Vec::new();
    for c in &settings.clusters {
        let src = source::from_setting(c, &settings.kubernetes).await?;
        store
            .upsert_cluster(&c.id, c.name.as_deref().unwrap_or(&c.id), &src.describe())
            .await?;
        out.push((c.id.clone(), src));
    }
    for c in extra {
        store
            .upsert_cluster(&c.id, &c.name, &c.source.describe())
            .await?;
        out.push((c.id, c.source));
    }
    let ids: Vec<String> = out.iter().map(|(id, _)| id.clone()).collect();
    store.deactivate_other_clusters(&ids).await?;
    Ok(out)
}

/// The source of a cluster registered through the API: its kubeconfig is
/// decrypted only here, and checked again against the policy for API clients
/// (it may have been stored before the policy existed).
pub async fn registered_source(
    settings: &Settings,
    c: &crate::store::entity::cluster::Model,
) -> Result<Arc<dyn ClusterSource>> {
    let key = encryption_key(settings)?;
    let sealed = c
        .secret
        .as_deref()
        .ok_or_else(|| Error::Internal(format!("cluster {} has no stored kubeconfig", c.id)))?;
    let kubeconfig = crate::secret::open(&key, sealed)?;
    let checked = crate::live::kubeconfig_policy::check(&kubeconfig)?;
    let client = crate::live::client_from_checked(&checked, None).await?;
    let mut live = settings.kubernetes.clone();
    live.agentless = c.agentless;
    Ok(Arc::new(crate::live::LiveSource::new(
        client,
        live,
        format!("registered cluster {}", c.id),
    )))
}

/// The key that seals registered kubeconfigs, or a clear error when none is configured.
pub fn encryption_key(settings: &Settings) -> Result<[u8; 32]> {
    if settings.encryption_key.is_empty() {
        return Err(Error::Invalid("registering clusters needs an encryption key: set encryption_key (CIS_SCAN_ENCRYPTION_KEY) to base64 of 32 random bytes".into()));
    }
    crate::secret::parse_key(&settings.encryption_key)
}
