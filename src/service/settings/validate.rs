//! Every check of the settings, in one place: [`Settings::load`] runs it once, and
//! nothing else in the service second-guesses a value. Messages name the key,
//! never a secret's value.

use super::Settings;
use crate::error::{Error, Result};
use secrecy::ExposeSecret;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

/// `Ok` when `ok`, else a configuration error saying `why`.
fn require(ok: bool, why: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Config(why()))
    }
}

/// At least 1.
fn positive(key: &str, n: u64) -> Result<()> {
    require(n > 0, || format!("{key} must be at least 1"))
}

/// A duration from `min` to `max`, both included.
fn within(key: &str, d: Duration, min: Duration, max: Duration) -> Result<()> {
    require(d >= min && d <= max, || {
        format!(
            "{key} must be between {} and {}",
            humantime::format_duration(min),
            humantime::format_duration(max)
        )
    })
}

const MILLISECOND: Duration = Duration::from_millis(1);
const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

impl Settings {
    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<()> {
        self.listen_addr()?;
        self.check_server_and_database()?;
        self.check_limits()?;
        self.check_secrets()?;
        self.check_background_work()?;
        self.check_clusters()
    }

    /// The listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr> {
        let listen = &self.server.listen;
        listen.parse().map_err(|_| {
            Error::Config(format!(
                "server.listen '{listen}' is not an address like 127.0.0.1:8080"
            ))
        })
    }

    fn check_server_and_database(&self) -> Result<()> {
        require(self.server.max_body_bytes >= 1024, || {
            "server.max_body_bytes must be at least 1024".into()
        })?;
        let url = self.database.url.expose_secret();
        require(
            ["sqlite:", "postgres://", "postgresql://"]
                .iter()
                .any(|p| url.starts_with(p)),
            || {
                format!(
                    "database.url '{}' must start with sqlite:, postgres:// or postgresql://",
                    self.database.url_for_logs()
                )
            },
        )?;
        within(
            "database.acquire_timeout",
            self.database.acquire_timeout,
            MILLISECOND,
            Duration::from_secs(600),
        )
    }

    fn check_limits(&self) -> Result<()> {
        let l = &self.limits;
        positive("limits.query_depth", l.query_depth as u64)?;
        positive("limits.query_complexity", l.query_complexity as u64)?;
        positive("limits.client_concurrency", l.client_concurrency as u64)?;
        within(
            "limits.request_timeout",
            l.request_timeout,
            MILLISECOND,
            DAY,
        )?;
        require(l.max_response_bytes >= 1024, || {
            "limits.max_response_bytes must be at least 1024".into()
        })?;
        let w = &self.websocket;
        within("websocket.init_timeout", w.init_timeout, MILLISECOND, HOUR)?;
        positive(
            "websocket.connections_per_client",
            w.connections_per_client as u64,
        )?;
        positive(
            "websocket.operations_per_connection",
            w.operations_per_connection as u64,
        )?;
        positive(
            "skips.audit_entries_per_cluster",
            self.skips.audit_entries_per_cluster,
        )
    }

    fn check_secrets(&self) -> Result<()> {
        if let Some(key) = &self.encryption.key {
            crate::service::secret::parse_key(key.expose_secret())?;
        }
        for (i, w) in self.alerts.webhooks.iter().enumerate() {
            let w = w.expose_secret();
            // the URL itself is not repeated: webhook URLs often hold a secret
            require(
                w.starts_with("http://") || w.starts_with("https://"),
                || format!("alerts.webhooks: entry {} is not an http(s) URL", i + 1),
            )?;
        }
        if let Some(token) = &self.metrics.token {
            let t = token.expose_secret();
            // never echo the value: it is a secret
            require(t.len() >= 16 && !t.chars().any(char::is_whitespace), || {
                "metrics.token must be at least 16 characters without spaces (e.g. openssl rand -hex 32)".into()
            })?;
        }
        Ok(())
    }

    /// Scans, schedules, alerts and the collector Jobs of live clusters.
    fn check_background_work(&self) -> Result<()> {
        // the reaper renews claims every third of the lease: below this it would spin
        within(
            "scans.lease",
            self.scans.lease,
            Duration::from_millis(100),
            DAY,
        )?;
        within(
            "schedules.min_interval",
            self.schedules.min_interval,
            Duration::ZERO,
            Duration::from_secs(366 * 86_400),
        )?;
        within("alerts.backoff", self.alerts.backoff, Duration::ZERO, HOUR)?;
        within(
            "report_cache.recheck",
            self.report_cache.recheck,
            Duration::ZERO,
            HOUR,
        )?;
        let k = &self.kubernetes;
        positive("kubernetes.concurrency", k.concurrency as u64)?;
        // the Job's activeDeadlineSeconds and ttlSecondsAfterFinished count whole seconds
        within("kubernetes.node_timeout", k.node_timeout, SECOND, DAY)?;
        within("kubernetes.job_ttl", k.job_ttl, Duration::ZERO, 30 * DAY)?;
        within(
            "kubernetes.poll_interval",
            k.poll_interval,
            MILLISECOND,
            HOUR,
        )
    }

    fn check_clusters(&self) -> Result<()> {
        let mut seen = HashSet::new();
        for c in &self.clusters {
            let id_ok = !c.id.is_empty()
                && c.id.len() <= 63
                && c.id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
            require(id_ok, || {
                format!(
                    "clusters.id '{}' must be 1-63 lowercase letters, digits or '-'",
                    c.id
                )
            })?;
            let sources = [c.snapshot.is_some(), c.kubeconfig.is_some(), c.in_cluster]
                .iter()
                .filter(|b| **b)
                .count();
            require(sources == 1, || {
                format!(
                    "clusters '{}': set exactly one of snapshot, kubeconfig or in_cluster",
                    c.id
                )
            })?;
            require(seen.insert(&c.id), || {
                format!("clusters.id '{}' appears twice", c.id)
            })?;
        }
        // a typo in a cluster's benchmark shows at start, not at its first scan; the
        // definitions are read only when a cluster names one
        if self.clusters.iter().any(|c| c.benchmark.is_some()) {
            let catalog = self.catalog()?;
            for c in &self.clusters {
                if let Some(b) = &c.benchmark {
                    catalog.get(b).map_err(|e| {
                        Error::Config(format!("clusters '{}': benchmark: {e}", c.id))
                    })?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
