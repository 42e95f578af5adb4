//! The running service: settings, the scanner, the scheduler and the token cache,
//! built whole at start-up. The API layer serves it; tests reach it directly.

use super::clusters::{registered_source, sync_clusters, ExtraCluster};
use super::scan::FollowUp;
use super::scan::{Scanner, ScannerConfig};
use super::settings::Settings;
use super::store::Store;
use crate::engine::benchmark::{choose, Choice};
use crate::error::{shown, Error, Result};
use crate::sources;
use secrecy::ExposeSecret;
use std::sync::Arc;

/// Shared state of the running service.
pub struct Service {
    pub settings: Settings,
    pub scanner: Arc<Scanner>,
    pub scheduler: Arc<crate::service::schedule::Scheduler>,
    /// Saved reports held in memory for the read path.
    pub reports: crate::service::report_cache::ReportCache,
    /// Token rows seen, trusted for a few seconds (revocation reaches every replica).
    tokens: crate::service::token_cache::TokenCache,
}

impl Service {
    /// Connects the store, loads the definitions, registers the configured, extra and
    /// registered clusters, recovers scans a stopped process left, and starts the
    /// schedules (unless `schedules.run = false`).
    pub async fn start(settings: Settings, extra: Vec<ExtraCluster>) -> Result<Arc<Self>> {
        let database_url = settings.database.url.expose_secret();
        let store = Store::connect_with(database_url, settings.database.acquire_timeout).await?;
        let catalog = Arc::new(settings.catalog()?);
        let reports = crate::service::report_cache::ReportCache::new(
            store.clone(),
            settings.report_cache.bytes,
            settings.report_cache.recheck,
            crate::service::report_deletions::announces(database_url),
        );
        let scanner = Scanner::new(
            store.clone(),
            catalog.clone(),
            ScannerConfig {
                lease: settings.scans.lease,
                follow_up: FollowUp {
                    alerts: crate::service::alerts::Alerts::new(
                        settings
                            .alerts
                            .webhooks
                            .iter()
                            .map(|w| w.expose_secret().to_string())
                            .collect(),
                        settings.alerts.retries,
                        settings.alerts.backoff,
                    ),
                    public_url: settings.server.public_url.clone(),
                    reports: reports.clone(),
                    manual_retention: settings.retention.manual,
                },
            },
        );
        for (id, src) in sync_clusters(&store, &settings, extra).await? {
            scanner.register(&id, src);
        }
        for c in store.registered_clusters().await? {
            match registered_source(&settings, &c).await {
                Ok(src) => scanner.register(&c.id, src),
                Err(e) => {
                    // messages name fields, never values: safe to log and to show
                    tracing::error!(cluster = %c.id, "registered cluster cannot be scanned: {}", e.chain());
                    let reason = format!("the stored kubeconfig of registered cluster '{}' cannot be used: {e}; remove the cluster and register it again", c.id);
                    let label = format!("kubernetes registered cluster {}", c.id);
                    scanner.register(&c.id, Arc::new(sources::UnusableSource { reason, label }));
                }
            }
        }
        crate::service::scan::relay::start(&scanner, database_url).await;
        scanner.recover().await?;
        scanner.keep_reaping();
        // older reports get their compact states in the background; the fleet reads their rows meanwhile
        let backfill = store.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::service::fleet::backfill_check_states(&backfill).await {
                tracing::warn!(
                    "could not write compact check states of older reports: {}",
                    e.chain()
                );
            }
        });
        let scheduler = crate::service::schedule::Scheduler::new(
            scanner.clone(),
            crate::service::schedule::ScheduleLimits::from_settings(&settings),
        );
        if settings.schedules.run {
            scheduler.start().await?;
        }
        if store.token_count().await? == 0 {
            eprintln!("cis-scan: no API tokens yet. Create the first administrator token with:\n  cis-scan token create --admin");
        }
        crate::service::report_deletions::listen(&reports, database_url).await;
        let tokens = crate::service::token_cache::TokenCache::new(scanner.clock.clone());
        Ok(Arc::new(Service {
            reports,
            settings,
            scanner,
            scheduler,
            tokens,
        }))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.scanner.store
    }

    /// The caller a bearer token names, or why it is refused.
    pub async fn authenticate(&self, token: &str) -> Result<crate::service::auth::AuthOutcome> {
        self.tokens.authenticate(self.store(), token).await
    }

    /// Fails with BAD_USER_INPUT unless `test_id` is a check of the cluster's benchmark.
    pub async fn require_check(&self, cluster_id: &str, test_id: &str) -> Result<()> {
        let choice = self.cluster_benchmark(cluster_id).await?;
        if choice.benchmark.check(test_id).is_none() {
            return Err(Error::Invalid(format!(
                "'{}' is not a check of {}, the benchmark of cluster '{cluster_id}' ({})",
                shown(test_id),
                choice.benchmark.id,
                choice.reason
            )));
        }
        Ok(())
    }

    /// The benchmark the cluster's next scan without an explicit benchmark
    /// uses, through the same choice as scans: from the Kubernetes version its
    /// source knows, else the version of its newest report.
    pub async fn cluster_benchmark(&self, cluster_id: &str) -> Result<Choice> {
        let catalog = &self.scanner.catalog;
        let stored = self.store().cluster_any(cluster_id).await?;
        if let Some(b) = stored.and_then(|c| c.benchmark) {
            let mut choice = choose(catalog, Some(&b), None, None)?;
            choice.reason = format!("{b}, the cluster's default benchmark");
            return Ok(choice);
        }
        let known = self
            .scanner
            .source(cluster_id)
            .and_then(|s| s.kubernetes_version());
        let (version, provider) = match known {
            Some(v) => (Some(v), None),
            None => match self.store().latest_report(cluster_id).await? {
                Some(r) => (r.kubernetes_version, r.provider),
                None => (None, None),
            },
        };
        Ok(choose(
            catalog,
            None,
            version.as_deref(),
            provider.as_deref(),
        )?)
    }
}
