//! How settings print: `Debug` without the secrets.

use super::settings::{redact, Settings};

/// Says whether a secret is set, never what it is.
fn hidden(secret: &str) -> &'static str {
    if secret.is_empty() {
        "(not set)"
    } else {
        "(hidden)"
    }
}

/// Written by hand so that no secret reaches a log or an error through `{:?}`: the
/// encryption key, the metrics token, the webhook URLs (they often carry a token)
/// and the database URL's password. The destructuring lists every field, so a new
/// field does not compile until it is decided here whether it is a secret.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Settings {
            listen,
            database_url,
            database_acquire_timeout_seconds,
            public_url,
            max_body_bytes,
            query_depth,
            query_complexity,
            request_timeout_seconds,
            max_response_bytes,
            client_concurrency,
            ws_init_timeout_seconds,
            ws_connections_per_client,
            ws_operations_per_connection,
            report_cache_bytes,
            report_cache_recheck_ms,
            encryption_key,
            alert_webhooks,
            alert_retries,
            alert_backoff_ms,
            scan_lease_seconds,
            max_schedules_per_cluster,
            min_schedule_interval_seconds,
            skip_audit_per_cluster,
            scheduler,
            metrics_token,
            benchmark_dir,
            clusters,
            kubernetes,
            retention,
        } = self;
        f.debug_struct("Settings")
            .field("listen", listen)
            .field("database_url", &redact(database_url))
            .field(
                "database_acquire_timeout_seconds",
                database_acquire_timeout_seconds,
            )
            .field("public_url", public_url)
            .field("max_body_bytes", max_body_bytes)
            .field("query_depth", query_depth)
            .field("query_complexity", query_complexity)
            .field("request_timeout_seconds", request_timeout_seconds)
            .field("max_response_bytes", max_response_bytes)
            .field("client_concurrency", client_concurrency)
            .field("ws_init_timeout_seconds", ws_init_timeout_seconds)
            .field("ws_connections_per_client", ws_connections_per_client)
            .field("ws_operations_per_connection", ws_operations_per_connection)
            .field("report_cache_bytes", report_cache_bytes)
            .field("report_cache_recheck_ms", report_cache_recheck_ms)
            .field("encryption_key", &hidden(encryption_key))
            .field(
                "alert_webhooks",
                &format!("[{} hidden]", alert_webhooks.len()),
            )
            .field("alert_retries", alert_retries)
            .field("alert_backoff_ms", alert_backoff_ms)
            .field("scan_lease_seconds", scan_lease_seconds)
            .field("max_schedules_per_cluster", max_schedules_per_cluster)
            .field(
                "min_schedule_interval_seconds",
                min_schedule_interval_seconds,
            )
            .field("skip_audit_per_cluster", skip_audit_per_cluster)
            .field("scheduler", scheduler)
            .field("metrics_token", &hidden(metrics_token))
            .field("benchmark_dir", benchmark_dir)
            .field("clusters", clusters)
            .field("kubernetes", kubernetes)
            .field("retention", retention)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_holds_no_secret() {
        let mut s = Settings::load(None).unwrap();
        s.encryption_key = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=".into();
        s.metrics_token = "metrics-secret-token".into();
        s.database_url = "postgres://cis:db-password@db.example/cis".into();
        s.alert_webhooks = vec!["https://hooks.example/services/T0/B0/webhook-secret".into()];
        let shown = format!("{s:?} {s:#?}");
        for secret in [
            "CQkJCQkJ",
            "metrics-secret-token",
            "db-password",
            "webhook-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("db.example") && shown.contains("(hidden)"),
            "{shown}"
        );
    }
}
