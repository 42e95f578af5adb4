//! Service configuration: embedded defaults, an optional file, then
//! `CIS_SCAN_*` environment variables (`__` separates nested keys).

use crate::error::{Error, Result};
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The defaults compiled into the binary (config/default.toml).
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// All settings of `cis-scan serve`. Its `Debug` hides the secrets (see below).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// sqlite://path?mode=rwc or postgres://...
    pub database_url: String,
    /// How long a request waits for a database connection before it fails: short, so
    /// that a stopped database answers INTERNAL and `/readyz` 503 quickly instead of hanging.
    pub database_acquire_timeout_seconds: f64,
    /// Base URL for links in the API (csvUrl); empty for relative links.
    #[serde(default)]
    pub public_url: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// GraphQL query depth (introspection not counted) and complexity limits;
    /// list fields count once per item they may return.
    pub query_depth: usize,
    pub query_complexity: usize,
    /// A GraphQL request still running after this long is stopped.
    pub request_timeout_seconds: f64,
    /// Largest GraphQL answer sent, in bytes; larger ones are refused with a clear error.
    pub max_response_bytes: usize,
    /// Requests one client (a token, or an address without one) may have in flight at once.
    pub client_concurrency: usize,
    /// A websocket that has not sent `connection_init` this long after opening is closed (4408).
    pub ws_init_timeout_seconds: f64,
    /// Open websockets per client: an address until `connection_init` names a valid token,
    /// then the token.
    pub ws_connections_per_client: usize,
    /// Operations one websocket may have running at once: subscriptions, and queries
    /// or mutations not yet answered.
    pub ws_operations_per_connection: usize,
    /// Bytes of saved reports kept in memory for the read path.
    pub report_cache_bytes: u64,
    /// A cached report is served without asking the database whether it still exists
    /// for this many milliseconds; then one primary-key lookup confirms it (0: every time).
    pub report_cache_recheck_ms: u64,
    /// Base64 of 32 random bytes; encrypts kubeconfigs registered through the API.
    #[serde(default)]
    pub encryption_key: String,
    /// Webhooks that receive alerts of scheduled scans (CIS_SCAN_ALERT_WEBHOOKS, comma-separated).
    #[serde(default)]
    pub alert_webhooks: Vec<String>,
    /// Extra delivery attempts after the first, with doubling waits from alert_backoff_ms.
    pub alert_retries: u32,
    pub alert_backoff_ms: u64,
    /// How long a replica's claim on a running scan holds without a heartbeat;
    /// a scan whose claim expires is marked INTERRUPTED and queued again.
    pub scan_lease_seconds: f64,
    /// Most schedules one cluster may have.
    pub max_schedules_per_cluster: u64,
    /// Shortest time allowed between two runs of one schedule
    /// (CIS_SCAN_MIN_SCHEDULE_INTERVAL_SECONDS).
    pub min_schedule_interval_seconds: u64,
    /// Entries of the skip audit trail kept per cluster: each skip or unskip
    /// deletes the cluster's older entries beyond this many, in its transaction.
    pub skip_audit_per_cluster: u64,
    /// Run schedules in this process (turn off for API-only replicas).
    pub scheduler: bool,
    /// Bearer token Prometheus sends to scrape /metrics (CIS_SCAN_METRICS_TOKEN);
    /// empty: only administrator API tokens may scrape.
    #[serde(default)]
    pub metrics_token: String,
    /// Custom benchmark definitions added to the built-in ones.
    #[serde(default)]
    pub benchmark_dir: Option<PathBuf>,
    /// Clusters the service scans.
    #[serde(default)]
    pub clusters: Vec<crate::sources::ClusterSettings>,
    /// How live clusters are scanned (collector Jobs, image, limits).
    #[serde(default)]
    pub kubernetes: crate::sources::live::LiveSettings,
    /// Which reports are deleted as newer ones arrive.
    #[serde(default)]
    pub retention: RetentionSettings,
}

/// Retention beyond each schedule's own (`Schedule.retention`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// Manual reports (not written by a schedule) kept per cluster: each manual
    /// scan that succeeds deletes the cluster's older manual reports beyond this
    /// many. 0 keeps every one.
    pub manual: u64,
}

/// `CIS_SCAN_*` variables that belong to the CLI's client commands (`reports`,
/// `report`), not to the service: a shell that exports them must still start `serve`.
const CLIENT_VARIABLES: &[&str] = &["CIS_SCAN_TOKEN", "CIS_SCAN_SERVER"];

/// The environment the settings read: every variable but the client's.
fn service_environment(
    vars: impl Iterator<Item = (String, String)>,
) -> std::collections::HashMap<String, String> {
    vars.filter(|(k, _)| !CLIENT_VARIABLES.contains(&k.as_str()))
        .collect()
}

impl Settings {
    /// Loads defaults, then `file` if given, then the environment; validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut b = Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(f) = file {
            if !f.exists() {
                return Err(Error::Config(format!(
                    "config file {} does not exist",
                    f.display()
                )));
            }
            b = b.add_source(File::from(f).format(FileFormat::Toml));
        }
        b = b.add_source(
            Environment::with_prefix("CIS_SCAN")
                .source(Some(service_environment(std::env::vars())))
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("alert_webhooks"),
        );
        let s: Settings = b
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| Error::Config(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<()> {
        self.listen_addr()?;
        if !self.encryption_key.is_empty() {
            crate::service::secret::parse_key(&self.encryption_key)?;
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(Error::Config(format!(
                "database_url '{}' must start with sqlite:, postgres:// or postgresql://",
                redact(&self.database_url)
            )));
        }
        for (i, w) in self.alert_webhooks.iter().enumerate() {
            // the URL itself is not repeated: webhook URLs often hold a secret
            if !(w.starts_with("http://") || w.starts_with("https://")) {
                return Err(Error::Config(format!(
                    "alert_webhooks: entry {} is not an http(s) URL",
                    i + 1
                )));
            }
        }
        let m = &self.metrics_token;
        if !m.is_empty() && (m.len() < 16 || m.chars().any(|c| c.is_whitespace())) {
            // never echo the value: it is a secret
            return Err(Error::Config(
                "metrics_token must be at least 16 characters without spaces (e.g. openssl rand -hex 32)".into(),
            ));
        }
        if self.max_body_bytes < 1024 {
            return Err(Error::Config("max_body_bytes must be at least 1024".into()));
        }
        if self.kubernetes.concurrency == 0 || self.kubernetes.node_timeout_seconds <= 0 {
            return Err(Error::Config(
                "kubernetes.concurrency and kubernetes.node_timeout_seconds must be positive"
                    .into(),
            ));
        }
        if !(self.database_acquire_timeout_seconds > 0.0
            && self.database_acquire_timeout_seconds <= 600.0)
        {
            return Err(Error::Config(
                "database_acquire_timeout_seconds must be above 0 and at most 600".into(),
            ));
        }
        if self.request_timeout_seconds.is_nan()
            || self.request_timeout_seconds <= 0.0
            || self.max_response_bytes < 1024
            || self.client_concurrency == 0
        {
            return Err(Error::Config(
                "request_timeout_seconds and client_concurrency must be positive, max_response_bytes at least 1024"
                    .into(),
            ));
        }
        if self.ws_init_timeout_seconds.is_nan()
            || self.ws_init_timeout_seconds <= 0.0
            || self.ws_connections_per_client == 0
            || self.ws_operations_per_connection == 0
        {
            return Err(Error::Config(
                "ws_init_timeout_seconds, ws_connections_per_client and ws_operations_per_connection must be positive"
                    .into(),
            ));
        }
        if self.skip_audit_per_cluster == 0 {
            return Err(Error::Config(
                "skip_audit_per_cluster must be at least 1".into(),
            ));
        }
        if self.query_depth == 0 || self.query_complexity == 0 {
            return Err(Error::Config(
                "query_depth and query_complexity must be positive".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.clusters {
            let ok = !c.id.is_empty()
                && c.id.len() <= 63
                && c.id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
            if !ok {
                return Err(Error::Config(format!(
                    "clusters.id '{}' must be 1-63 lowercase letters, digits or '-'",
                    c.id
                )));
            }
            let sources = [c.snapshot.is_some(), c.kubeconfig.is_some(), c.in_cluster]
                .iter()
                .filter(|b| **b)
                .count();
            if sources != 1 {
                return Err(Error::Config(format!(
                    "clusters '{}': set exactly one of snapshot, kubeconfig or in_cluster",
                    c.id
                )));
            }
            if !seen.insert(&c.id) {
                return Err(Error::Config(format!(
                    "clusters.id '{}' appears twice",
                    c.id
                )));
            }
        }
        Ok(())
    }

    /// How long a request waits for a database connection.
    pub fn database_acquire_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.database_acquire_timeout_seconds)
    }

    /// The listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr> {
        self.listen.parse().map_err(|_| {
            Error::Config(format!(
                "listen '{}' is not an address like 127.0.0.1:8080",
                self.listen
            ))
        })
    }
}

/// Hides a password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_commands_variables_are_not_service_settings() {
        let vars = [
            ("CIS_SCAN_TOKEN", "cis_x"),
            ("CIS_SCAN_SERVER", "http://h"),
            ("CIS_SCAN_LISTEN", "0.0.0.0:1"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let env = service_environment(vars.into_iter());
        assert_eq!(env.keys().collect::<Vec<_>>(), ["CIS_SCAN_LISTEN"]);
    }
}
