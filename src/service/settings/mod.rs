//! Service configuration: the embedded defaults (`config/default.toml`, which
//! documents every key), an optional file, then `CIS_SCAN_*` environment variables
//! (`__` between a section and its key: `CIS_SCAN_SERVER__LISTEN`).
//!
//! Secrets are [`SecretString`]s: `{:?}` of the settings shows whether one is set,
//! never what it is, and reading one takes an explicit `expose_secret()`.
//! Durations are written as humantime strings ("30s", "500ms", "5m").

mod load;
mod validate;

pub use load::DEFAULT_TOML;

use crate::sources::live::LiveSettings;
use crate::sources::ClusterSettings;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;
use std::time::Duration;

/// All settings of `cis-scan serve`, one field per section of the TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where the HTTP server listens and what it accepts.
    pub server: ServerSettings,
    /// The database and how long a request waits for it.
    pub database: DatabaseSettings,
    /// What one GraphQL request and one client may cost.
    pub limits: RequestLimits,
    /// GraphQL over websockets.
    pub websocket: WebsocketSettings,
    /// Saved reports kept in memory.
    pub report_cache: ReportCacheSettings,
    /// Alerts of scheduled scans.
    pub alerts: AlertSettings,
    /// Claims on running scans.
    pub scans: ScanSettings,
    /// Running schedules, and what one cluster's schedules may ask for.
    pub schedules: ScheduleSettings,
    /// The skip audit trail.
    pub skips: SkipSettings,
    /// Scraping /metrics.
    pub metrics: MetricsSettings,
    /// Sealing registered kubeconfigs.
    pub encryption: EncryptionSettings,
    /// Custom benchmark definitions.
    #[serde(default)]
    pub benchmarks: BenchmarkSettings,
    /// Manual reports kept per cluster.
    #[serde(default)]
    pub retention: RetentionSettings,
    /// How live clusters are scanned (collector Jobs, image, limits).
    #[serde(default)]
    pub kubernetes: LiveSettings,
    /// Clusters the service scans.
    #[serde(default)]
    pub clusters: Vec<ClusterSettings>,
}

/// `[server]`: where the HTTP server listens and what it accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on; port 0 takes a free port.
    pub listen: String,
    /// Base URL for links in the API (csvUrl, alerts' reportUrl); empty for relative links.
    pub public_url: String,
    /// Largest request body (and websocket message) accepted, in bytes.
    pub max_body_bytes: usize,
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// sqlite://path?mode=rwc or postgres://...: a secret, since it may hold a password.
    pub url: SecretString,
    /// How long a request waits for a database connection before it fails: short, so
    /// that a stopped database answers INTERNAL and `/readyz` 503 quickly instead of hanging.
    #[serde(with = "humantime_serde")]
    pub acquire_timeout: Duration,
}

impl DatabaseSettings {
    /// The URL with its password replaced by `***`, for logs and messages.
    pub fn url_for_logs(&self) -> String {
        let url = self.url.expose_secret();
        match (url.find("://"), url.rfind('@')) {
            (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
            _ => url.to_string(),
        }
    }
}

/// `[limits]`: what one GraphQL request and one client may cost.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestLimits {
    /// Nesting depth of a query (introspection not counted).
    pub query_depth: usize,
    /// Cost of a query: list fields count once per item they may return.
    pub query_complexity: usize,
    /// A GraphQL request still running after this long is stopped.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Largest GraphQL answer sent, in bytes; larger ones are refused with a clear error.
    pub max_response_bytes: usize,
    /// Requests one client (a token, or an address without one) may have in flight at once.
    pub client_concurrency: usize,
}

/// `[websocket]`: GraphQL over websockets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsocketSettings {
    /// A websocket that has not sent `connection_init` this long after opening is closed (4408).
    #[serde(with = "humantime_serde")]
    pub init_timeout: Duration,
    /// Open websockets per client: an address until `connection_init` names a valid
    /// token, then the token.
    pub connections_per_client: usize,
    /// Operations one websocket may have running at once: subscriptions, and queries
    /// or mutations not yet answered.
    pub operations_per_connection: usize,
}

/// `[report_cache]`: saved reports kept in memory for the read path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportCacheSettings {
    /// Bytes of saved reports kept in memory.
    pub bytes: u64,
    /// A cached report is served without asking the database whether it still exists
    /// for this long; then one primary-key lookup confirms it (0s: every time).
    #[serde(with = "humantime_serde")]
    pub recheck: Duration,
}

/// `[alerts]`: where alerts of scheduled scans go.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// Webhook URLs: secrets, since their path or query often holds a token.
    pub webhooks: Vec<SecretString>,
    /// Extra delivery attempts after the first, with doubling waits from `backoff`.
    pub retries: u32,
    /// The wait before the first retry; it doubles with each further one.
    #[serde(with = "humantime_serde")]
    pub backoff: Duration,
}

/// `[scans]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSettings {
    /// How long a replica's claim on a running scan holds without a heartbeat;
    /// a scan whose claim expires is marked INTERRUPTED and queued again.
    #[serde(with = "humantime_serde")]
    pub lease: Duration,
}

/// `[schedules]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    /// Run due schedules in this process (false on API-only replicas).
    pub run: bool,
    /// Most schedules one cluster may have.
    pub max_per_cluster: u64,
    /// Shortest time allowed between two runs of one schedule.
    #[serde(with = "humantime_serde")]
    pub min_interval: Duration,
}

/// `[skips]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipSettings {
    /// Entries of the skip audit trail kept per cluster: each skip or unskip
    /// deletes the cluster's older entries beyond this many, in its transaction.
    pub audit_entries_per_cluster: u64,
}

/// `[metrics]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Bearer token Prometheus sends to scrape /metrics; unset (or empty): only
    /// administrator API tokens may scrape.
    #[serde(default, deserialize_with = "optional_secret")]
    pub token: Option<SecretString>,
}

/// `[encryption]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionSettings {
    /// Base64 of 32 random bytes; seals kubeconfigs registered through the API.
    /// Unset (or empty): registering clusters is refused.
    #[serde(default, deserialize_with = "optional_secret")]
    pub key: Option<SecretString>,
}

/// `[benchmarks]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BenchmarkSettings {
    /// Custom benchmark definitions added to the built-in ones.
    pub dir: Option<PathBuf>,
}

/// `[retention]`: retention beyond each schedule's own (`Schedule.retention`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// Manual reports (not written by a schedule) kept per cluster: each manual
    /// scan that succeeds deletes the cluster's older manual reports beyond this
    /// many. 0 keeps every one.
    pub manual: u64,
}

/// A secret that may be left out: an empty value counts as not set, so that a
/// deployment can pass an empty variable for "none".
fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let value: Option<String> = Option::deserialize(d)?;
    Ok(value.filter(|v| !v.is_empty()).map(SecretString::from))
}

impl Settings {
    /// The benchmark definitions: the built-in ones, plus `benchmarks.dir` when set.
    pub fn catalog(&self) -> crate::error::Result<crate::engine::benchmark::Catalog> {
        Ok(match &self.benchmarks.dir {
            Some(d) => crate::engine::definitions::load_dir(d)?,
            None => crate::engine::benchmark::Catalog::embedded()?,
        })
    }
}
