//! Reading the settings: the embedded defaults, then a file, then the environment,
//! with the flat variables of earlier releases still understood.

use super::Settings;
use crate::error::{Error, Result};
use config::{Config, Environment, File, FileFormat};
use std::collections::HashMap;
use std::path::Path;

/// The defaults compiled into the binary (config/default.toml).
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// `CIS_SCAN_*` variables that belong to the CLI's client commands (`reports`,
/// `report`), not to the service: a shell that exports them must still start `serve`.
const CLIENT_VARIABLES: &[&str] = &["CIS_SCAN_TOKEN", "CIS_SCAN_SERVER"];

/// A variable of the flat layout that the README and deployments documented, and the
/// nested key it still sets (the nested variable wins when both are given).
struct Alias {
    old: &'static str,
    key: &'static str,
    /// The old variable counted seconds: a bare number gets an "s".
    seconds: bool,
}

const fn alias(old: &'static str, key: &'static str) -> Alias {
    Alias {
        old,
        key,
        seconds: false,
    }
}

const ALIASES: &[Alias] = &[
    alias("CIS_SCAN_LISTEN", "server.listen"),
    alias("CIS_SCAN_DATABASE_URL", "database.url"),
    alias("CIS_SCAN_CLIENT_CONCURRENCY", "limits.client_concurrency"),
    alias("CIS_SCAN_ALERT_WEBHOOKS", "alerts.webhooks"),
    alias("CIS_SCAN_SCHEDULER", "schedules.run"),
    alias(
        "CIS_SCAN_SKIP_AUDIT_PER_CLUSTER",
        "skips.audit_entries_per_cluster",
    ),
    alias("CIS_SCAN_METRICS_TOKEN", "metrics.token"),
    alias("CIS_SCAN_ENCRYPTION_KEY", "encryption.key"),
    Alias {
        old: "CIS_SCAN_MIN_SCHEDULE_INTERVAL_SECONDS",
        key: "schedules.min_interval",
        seconds: true,
    },
];

/// Keys of the flat layout and where they went (`true`: now a duration). A file or
/// variable that still uses one fails to load with a message naming the new key.
const MOVED: &[(&str, &str, bool)] = &[
    ("listen", "server.listen", false),
    ("public_url", "server.public_url", false),
    ("max_body_bytes", "server.max_body_bytes", false),
    ("database_url", "database.url", false),
    (
        "database_acquire_timeout_seconds",
        "database.acquire_timeout",
        true,
    ),
    ("query_depth", "limits.query_depth", false),
    ("query_complexity", "limits.query_complexity", false),
    ("request_timeout_seconds", "limits.request_timeout", true),
    ("max_response_bytes", "limits.max_response_bytes", false),
    ("client_concurrency", "limits.client_concurrency", false),
    ("ws_init_timeout_seconds", "websocket.init_timeout", true),
    (
        "ws_connections_per_client",
        "websocket.connections_per_client",
        false,
    ),
    (
        "ws_operations_per_connection",
        "websocket.operations_per_connection",
        false,
    ),
    ("report_cache_bytes", "report_cache.bytes", false),
    ("report_cache_recheck_ms", "report_cache.recheck", true),
    ("alert_webhooks", "alerts.webhooks", false),
    ("alert_retries", "alerts.retries", false),
    ("alert_backoff_ms", "alerts.backoff", true),
    ("scan_lease_seconds", "scans.lease", true),
    ("scheduler", "schedules.run", false),
    (
        "max_schedules_per_cluster",
        "schedules.max_per_cluster",
        false,
    ),
    (
        "min_schedule_interval_seconds",
        "schedules.min_interval",
        true,
    ),
    (
        "skip_audit_per_cluster",
        "skips.audit_entries_per_cluster",
        false,
    ),
    ("metrics_token", "metrics.token", false),
    ("encryption_key", "encryption.key", false),
    ("benchmark_dir", "benchmarks.dir", false),
    (
        "kubernetes.node_timeout_seconds",
        "kubernetes.node_timeout",
        true,
    ),
    ("kubernetes.job_ttl_seconds", "kubernetes.job_ttl", true),
    ("kubernetes.poll_millis", "kubernetes.poll_interval", true),
];

/// The variable that sets `key` ("server.listen" -> CIS_SCAN_SERVER__LISTEN).
pub(super) fn variable(key: &str) -> String {
    format!("CIS_SCAN_{}", key.replace('.', "__").to_uppercase())
}

/// The environment the settings read: every variable but the client's, with the
/// flat aliases renamed to their nested variables.
fn service_environment(vars: impl Iterator<Item = (String, String)>) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = vars
        .filter(|(k, _)| !CLIENT_VARIABLES.contains(&k.as_str()))
        .collect();
    for a in ALIASES {
        let Some(mut value) = env.remove(a.old) else {
            continue;
        };
        if a.seconds && value.parse::<u64>().is_ok() {
            value.push('s');
        }
        env.entry(variable(a.key)).or_insert(value);
    }
    env
}

/// Fails naming every flat key still present, and where it lives now.
fn refuse_moved_keys(config: &Config) -> Result<()> {
    let found: Vec<String> = MOVED
        .iter()
        .filter(|(old, _, _)| config.get::<config::Value>(old).is_ok())
        .map(|(old, new, duration)| {
            let (section, key) = new.split_once('.').unwrap_or(("", new));
            let kind = if *duration {
                ", a duration such as \"30s\" or \"500ms\""
            } else {
                ""
            };
            format!(
                "`{old}` is now `{key}` under [{section}] ({}{kind})",
                variable(new)
            )
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "settings moved into sections: {}; see config/default.toml",
        found.join("; ")
    )))
}

impl Settings {
    /// Loads defaults, then `file` if given, then the environment; validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        Self::load_with_listen(file, None)
    }

    /// [`Settings::load`] with `serve --listen`'s address over the configured one.
    pub fn load_with_listen(file: Option<&Path>, listen: Option<&str>) -> Result<Self> {
        let s = Self::read(file, std::env::vars(), listen)?;
        s.validate()?;
        Ok(s)
    }

    /// The settings these sources give, not yet validated.
    fn read(
        file: Option<&Path>,
        vars: impl Iterator<Item = (String, String)>,
        listen: Option<&str>,
    ) -> Result<Self> {
        let config_error = |e: config::ConfigError| {
            let m = e.to_string();
            // humantime_serde says only "expected a duration": say how one is written
            if m.contains("expected a duration") {
                Error::Config(format!(
                    "{m}: write it with a unit, such as \"30s\" or \"500ms\""
                ))
            } else {
                Error::Config(m)
            }
        };
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
                .source(Some(service_environment(vars)))
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("alerts.webhooks"),
        );
        if let Some(l) = listen {
            b = b.set_override("server.listen", l).map_err(config_error)?;
        }
        let config = b.build().map_err(config_error)?;
        refuse_moved_keys(&config)?;
        config.try_deserialize().map_err(config_error)
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
