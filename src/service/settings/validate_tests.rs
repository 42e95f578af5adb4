use super::*;
use crate::sources::ClusterSettings;

fn defaults() -> Settings {
    Settings::load(None).expect("the embedded defaults are valid")
}

/// The message `validate` gives after `change`.
fn refusal(change: impl FnOnce(&mut Settings)) -> String {
    let mut s = defaults();
    change(&mut s);
    match s.validate() {
        Ok(()) => panic!("expected a refusal of {s:?}"),
        Err(e) => e.to_string(),
    }
}

fn snapshot_cluster(id: &str) -> ClusterSettings {
    ClusterSettings {
        id: id.into(),
        name: None,
        snapshot: Some("builtin:demo".into()),
        kubeconfig: None,
        context: None,
        in_cluster: false,
        agentless: None,
        benchmark: None,
    }
}

/// A change to the default settings.
type Change = Box<dyn FnOnce(&mut Settings)>;

#[test]
fn each_refusal_names_its_key() {
    let cases: Vec<(&str, Change)> = vec![
        (
            "server.listen",
            Box::new(|s| s.server.listen = "nowhere".into()),
        ),
        (
            "server.max_body_bytes",
            Box::new(|s| s.server.max_body_bytes = 10),
        ),
        (
            "database.url",
            Box::new(|s| s.database.url = "mysql://x".into()),
        ),
        (
            "database.acquire_timeout",
            Box::new(|s| s.database.acquire_timeout = Duration::ZERO),
        ),
        ("limits.query_depth", Box::new(|s| s.limits.query_depth = 0)),
        (
            "limits.request_timeout",
            Box::new(|s| s.limits.request_timeout = Duration::ZERO),
        ),
        (
            "limits.client_concurrency",
            Box::new(|s| s.limits.client_concurrency = 0),
        ),
        (
            "limits.max_response_bytes",
            Box::new(|s| s.limits.max_response_bytes = 1),
        ),
        (
            "websocket.init_timeout",
            Box::new(|s| s.websocket.init_timeout = Duration::ZERO),
        ),
        (
            "websocket.operations_per_connection",
            Box::new(|s| s.websocket.operations_per_connection = 0),
        ),
        (
            "skips.audit_entries_per_cluster",
            Box::new(|s| s.skips.audit_entries_per_cluster = 0),
        ),
        (
            "scans.lease",
            Box::new(|s| s.scans.lease = Duration::from_millis(50)),
        ),
        (
            "kubernetes.node_timeout",
            Box::new(|s| s.kubernetes.node_timeout = Duration::from_millis(500)),
        ),
        (
            "kubernetes.concurrency",
            Box::new(|s| s.kubernetes.concurrency = 0),
        ),
        (
            "encryption.key",
            Box::new(|s| s.encryption.key = Some("short".into())),
        ),
        (
            "metrics.token",
            Box::new(|s| s.metrics.token = Some("has a space in it".into())),
        ),
        (
            "alerts.webhooks: entry 2",
            Box::new(|s| s.alerts.webhooks = vec!["https://a".into(), "ftp://b".into()]),
        ),
    ];
    for (key, change) in cases {
        let m = refusal(change);
        assert!(m.contains(key), "{key}: {m}");
    }
}

#[test]
fn a_duration_refusal_says_the_allowed_range() {
    let m = refusal(|s| s.scans.lease = Duration::from_millis(50));
    assert_eq!(
        m,
        "configuration: scans.lease must be between 100ms and 1day"
    );
}

#[test]
fn no_refusal_repeats_a_secret() {
    let m = refusal(|s| s.database.url = "mysql://u:db-password@h/x".into());
    assert!(
        m.contains("mysql://***@h/x") && !m.contains("db-password"),
        "{m}"
    );
    let m = refusal(|s| s.metrics.token = Some("secret token".into()));
    assert!(!m.contains("secret token"), "{m}");
    let m = refusal(|s| s.alerts.webhooks = vec!["hook-secret".into()]);
    assert!(!m.contains("hook-secret"), "{m}");
}

#[test]
fn clusters_need_a_good_unique_id_and_exactly_one_source() {
    let m = refusal(|s| s.clusters = vec![snapshot_cluster("Prod")]);
    assert!(m.contains("clusters.id 'Prod'"), "{m}");
    let m = refusal(|s| s.clusters = vec![snapshot_cluster("a"), snapshot_cluster("a")]);
    assert!(m.contains("appears twice"), "{m}");
    let m = refusal(|s| {
        let mut c = snapshot_cluster("both");
        c.in_cluster = true;
        s.clusters = vec![c];
    });
    assert!(m.contains("exactly one of snapshot"), "{m}");
}

#[test]
fn a_cluster_naming_an_unknown_benchmark_is_refused_at_start() {
    let m = refusal(|s| {
        let mut c = snapshot_cluster("demo");
        c.benchmark = Some("cis-9.99".into());
        s.clusters = vec![c];
    });
    assert!(m.contains("clusters 'demo': benchmark"), "{m}");
    let mut s = defaults();
    s.clusters[0].benchmark = Some("cis-1.11".into());
    s.validate().unwrap();
}
