use super::*;
use secrecy::ExposeSecret;
use std::time::Duration;

fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<Vec<_>>()
        .into_iter()
}

/// The settings the defaults, this file and these variables give.
fn read(toml: &str, env: &[(&str, &str)]) -> Result<Settings> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, toml).unwrap();
    Settings::read(Some(&file), vars(env), None)
}

fn message(r: Result<Settings>) -> String {
    match r {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_client_commands_variables_are_not_service_settings() {
    let env = service_environment(vars(&[
        ("CIS_SCAN_TOKEN", "cis_x"),
        ("CIS_SCAN_SERVER", "http://h"),
        ("CIS_SCAN_SERVER__LISTEN", "0.0.0.0:1"),
    ]));
    assert_eq!(env.keys().collect::<Vec<_>>(), ["CIS_SCAN_SERVER__LISTEN"]);
}

#[test]
fn the_embedded_defaults_load_and_pass_validation() {
    let s = Settings::read(None, vars(&[]), None).unwrap();
    s.validate().unwrap();
    assert_eq!(s.server.listen, "127.0.0.1:8080");
    assert_eq!(s.database.acquire_timeout, Duration::from_millis(500));
    assert_eq!(s.scans.lease, Duration::from_secs(30));
    assert_eq!(s.schedules.min_interval, Duration::from_secs(300));
    assert_eq!(s.kubernetes.poll_interval, Duration::from_secs(1));
    assert!(s.metrics.token.is_none() && s.encryption.key.is_none());
}

#[test]
fn durations_are_humantime_strings_in_files_and_variables() {
    let s = read(
        "[scans]\nlease = \"1m 30s\"\n[report_cache]\nrecheck = \"250ms\"\n",
        &[("CIS_SCAN_ALERTS__BACKOFF", "2s")],
    )
    .unwrap();
    assert_eq!(s.scans.lease, Duration::from_secs(90));
    assert_eq!(s.report_cache.recheck, Duration::from_millis(250));
    assert_eq!(s.alerts.backoff, Duration::from_secs(2));
}

#[test]
fn a_duration_without_a_unit_is_refused_naming_its_key() {
    let m = message(read("[scans]\nlease = 30\n", &[]));
    assert!(m.contains("scans.lease") && m.contains("duration"), "{m}");
    let m = message(read("[scans]\nlease = \"30\"\n", &[]));
    assert!(m.contains("scans.lease") && m.contains("unit"), "{m}");
    let m = message(read("[schedules]\nmin_interval = \"soon\"\n", &[]));
    assert!(m.contains("schedules.min_interval"), "{m}");
}

#[test]
fn the_documented_flat_variables_still_set_their_nested_keys() {
    let key = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";
    let s = Settings::read(
        None,
        vars(&[
            ("CIS_SCAN_LISTEN", "0.0.0.0:9000"),
            ("CIS_SCAN_DATABASE_URL", "postgres://db/cis"),
            ("CIS_SCAN_CLIENT_CONCURRENCY", "64"),
            ("CIS_SCAN_ALERT_WEBHOOKS", "https://a,https://b"),
            ("CIS_SCAN_SCHEDULER", "false"),
            ("CIS_SCAN_SKIP_AUDIT_PER_CLUSTER", "7"),
            ("CIS_SCAN_METRICS_TOKEN", "0123456789abcdef"),
            ("CIS_SCAN_ENCRYPTION_KEY", key),
            ("CIS_SCAN_MIN_SCHEDULE_INTERVAL_SECONDS", "60"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(s.server.listen, "0.0.0.0:9000");
    assert_eq!(s.database.url.expose_secret(), "postgres://db/cis");
    assert_eq!(s.limits.client_concurrency, 64);
    assert_eq!(s.alerts.webhooks.len(), 2);
    assert_eq!(s.alerts.webhooks[1].expose_secret(), "https://b");
    assert!(!s.schedules.run);
    assert_eq!(s.skips.audit_entries_per_cluster, 7);
    assert_eq!(
        s.metrics.token.as_ref().map(|t| t.expose_secret()),
        Some("0123456789abcdef")
    );
    assert_eq!(
        s.encryption.key.as_ref().map(|k| k.expose_secret()),
        Some(key)
    );
    assert_eq!(s.schedules.min_interval, Duration::from_secs(60));
}

#[test]
fn a_nested_variable_wins_over_its_flat_alias() {
    let s = Settings::read(
        None,
        vars(&[
            ("CIS_SCAN_LISTEN", "0.0.0.0:1"),
            ("CIS_SCAN_SERVER__LISTEN", "0.0.0.0:2"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(s.server.listen, "0.0.0.0:2");
}

#[test]
fn an_empty_secret_counts_as_not_set() {
    let s = Settings::read(None, vars(&[("CIS_SCAN_METRICS_TOKEN", "")]), None).unwrap();
    assert!(s.metrics.token.is_none());
}

#[test]
fn a_flat_key_of_an_older_file_names_its_new_place() {
    let m = message(read(
        "database_url = \"sqlite://x.db\"\nscan_lease_seconds = 1\n",
        &[],
    ));
    assert!(
        m.contains("`database_url` is now `url` under [database] (CIS_SCAN_DATABASE__URL)"),
        "{m}"
    );
    assert!(
        m.contains("`scan_lease_seconds` is now `lease` under [scans]") && m.contains("\"30s\""),
        "{m}"
    );
    let m = message(read("[kubernetes]\npoll_millis = 20\n", &[]));
    assert!(m.contains("`poll_interval` under [kubernetes]"), "{m}");
}

#[test]
fn an_undocumented_flat_variable_names_its_new_variable() {
    let m = message(Settings::read(
        None,
        vars(&[("CIS_SCAN_REPORT_CACHE_RECHECK_MS", "5")]),
        None,
    ));
    assert!(m.contains("CIS_SCAN_REPORT_CACHE__RECHECK"), "{m}");
}

#[test]
fn the_listen_override_replaces_the_configured_address() {
    let s = Settings::read(
        None,
        vars(&[("CIS_SCAN_LISTEN", "0.0.0.0:1")]),
        Some("127.0.0.1:0"),
    )
    .unwrap();
    assert_eq!(s.server.listen, "127.0.0.1:0");
}

#[test]
fn debug_output_holds_no_secret_but_says_which_are_set() {
    let mut s = Settings::read(None, vars(&[]), None).unwrap();
    s.encryption.key = Some("CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=".into());
    s.metrics.token = Some("metrics-secret-token".into());
    s.database.url = "postgres://cis:db-password@db.example/cis".into();
    s.alerts.webhooks = vec!["https://hooks.example/services/T0/B0/webhook-secret".into()];
    let shown = format!("{s:?} {s:#?}");
    for secret in [
        "CQkJCQkJ",
        "metrics-secret-token",
        "db-password",
        "db.example",
        "webhook-secret",
        "hooks.example",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains("token: Some(") && shown.contains("key: Some("),
        "{shown}"
    );
    assert!(s.validate().is_ok());
    assert_eq!(s.database.url_for_logs(), "postgres://***@db.example/cis");
}
