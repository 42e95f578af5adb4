//! deploy/monitoring against the service: the alert rules, their promtool tests and
//! the Grafana dashboard use only metric names and labels a real /metrics answer
//! has, and the figures the alerts watch count what happened. promtool itself
//! checks and unit-tests the rules: tests/api/monitoring/monitoring_promtool.rs.

use crate::support::app::{spawn_app, TestApp};
use crate::support::promql::{exposition, series, uses, Exposed};
use crate::support::wait::{wait_for, EVENT};
use chrono::{Duration, Utc};
use cis_scan::service::domain::Principal;
use cis_scan::service::schedule::ScheduleInput;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A file of the repository.
pub fn repo_file(path: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A YAML file of the repository as JSON values.
pub fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&repo_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (alert name, expression) of every rule of the plain rules file.
pub fn rule_exprs() -> Vec<(String, String)> {
    let rules = yaml("deploy/monitoring/cis-scan.rules.yaml");
    let groups = rules["groups"].as_array().expect("groups");
    groups
        .iter()
        .flat_map(|g| g["rules"].as_array().expect("rules").clone())
        .map(|r| {
            (
                r["alert"].as_str().unwrap().to_string(),
                r["expr"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (panel title, query) of every panel target of the dashboard.
pub fn dashboard_queries() -> Vec<(String, String)> {
    let d: Value = serde_json::from_str(&repo_file("deploy/monitoring/grafana-dashboard.json"))
        .expect("the dashboard is JSON");
    let panels = d["panels"].as_array().expect("panels");
    panels
        .iter()
        .flat_map(|p| {
            let title = p["title"].as_str().unwrap_or("?").to_string();
            let targets = p["targets"].as_array().cloned().unwrap_or_default();
            targets
                .into_iter()
                .map(move |t| (title.clone(), t["expr"].as_str().expect("expr").to_string()))
        })
        .collect()
}

/// The demo cluster after a scheduled scan, an exception on a failing check that
/// expired before the last scan, another ending in three days, and three scans.
async fn scanned_app() -> TestApp {
    let app = spawn_app().await;
    let admin = Principal::Admin {
        token_id: uuid::Uuid::new_v4(),
    };
    let now = Utc::now();
    let hourly = ScheduleInput {
        cron: Some("0 * * * *".into()),
        ..Default::default()
    };
    let s = app
        .state
        .scheduler
        .create("demo", hourly, &admin, now - Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(app.state.scheduler.run_due(now).await.unwrap().len(), 1);
    wait_for("the scheduled scan to end", EVENT, || async {
        let scans = app.state.store().schedule_scans(s.id).await.unwrap();
        scans.iter().any(|x| x.state.is_final()).then_some(())
    })
    .await;
    let failing = app
        .ok(
            "{ cluster(id: \"demo\") { latestReport { results(states: [FAIL]) { id } } } }",
            json!({}),
        )
        .await;
    let ids: Vec<String> = failing["cluster"]["latestReport"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        ids.len() >= 2,
        "the demo fails at least two checks: {ids:?}"
    );
    let skip = "mutation($t: String!, $e: DateTime) { skipTest(clusterId: \"demo\", testId: $t, reason: \"accepted\", expiresAt: $e) { testId } }";
    app.ok(
        skip,
        json!({ "t": ids[0], "e": (now + Duration::hours(1)).to_rfc3339() }),
    )
    .await;
    app.ok(
        skip,
        json!({ "t": ids[1], "e": (now + Duration::days(3)).to_rfc3339() }),
    )
    .await;
    app.scan_to_end("demo").await; // both exceptions applied
    app.state.scanner.clock.advance(Duration::hours(2));
    app.scan_to_end("demo").await; // the first one expired: its check fails again
    app
}

/// /metrics once the last scan's duration is observed (just after its row ends).
async fn metrics_of(app: &TestApp) -> String {
    wait_for("the last scan's duration in /metrics", EVENT, || async {
        let text = app.admin_text("/metrics").await;
        let count = text
            .lines()
            .find(|l| l.starts_with("cis_scan_scan_duration_seconds_count{cluster_name=\"demo\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok());
        (count == Some(3.0)).then_some(text)
    })
    .await
}

/// Every metric an expression names is exposed, with every label it matches on,
/// and its grouping labels are labels of those metrics.
fn assert_uses_exposed(exposed: &Exposed, what: &str, expr: &str) {
    let u = uses(expr);
    assert!(!u.metrics.is_empty(), "{what}: names no metric: {expr}");
    let mut all_labels = BTreeSet::new();
    for (metric, labels) in &u.metrics {
        let have = exposed
            .get(metric)
            .unwrap_or_else(|| panic!("{what}: {metric} is not in /metrics: {expr}"));
        let missing: Vec<&String> = labels.difference(have).collect();
        assert!(
            missing.is_empty(),
            "{what}: {metric} has no label {missing:?} in /metrics"
        );
        all_labels.extend(have.iter().cloned());
    }
    let missing: Vec<&String> = u.grouping.difference(&all_labels).collect();
    assert!(
        missing.is_empty(),
        "{what}: groups by {missing:?}, which none of its metrics has: {expr}"
    );
}

#[actix_web::test]
async fn rules_tests_and_dashboard_use_only_names_and_labels_of_a_real_metrics_answer() {
    let app = scanned_app().await;
    let exposed = exposition(&metrics_of(&app).await);
    for (alert, expr) in rule_exprs() {
        assert_uses_exposed(&exposed, &alert, &expr);
    }
    let queries = dashboard_queries();
    assert!(queries.len() >= 8, "{queries:?}");
    for (panel, expr) in &queries {
        assert_uses_exposed(&exposed, panel, expr);
    }
    let d: Value =
        serde_json::from_str(&repo_file("deploy/monitoring/grafana-dashboard.json")).unwrap();
    for v in d["templating"]["list"].as_array().unwrap() {
        let Some(q) = v["query"]["query"].as_str() else {
            continue;
        };
        let inner = q
            .strip_prefix("label_values(")
            .and_then(|r| r.strip_suffix(')'))
            .expect(q);
        let (metric, label) = inner.split_once(',').expect(q);
        assert!(
            exposed
                .get(metric.trim())
                .is_some_and(|l| l.contains(label.trim())),
            "{q}"
        );
    }
    // promtool's input series are shaped exactly as /metrics writes them, plus job and instance
    let tests = yaml("tests/api/fixtures/monitoring/rules_test.yaml");
    let mut seen = 0;
    for t in tests["tests"].as_array().unwrap() {
        for s in t["input_series"].as_array().unwrap() {
            let (name, mut labels) = series(s["series"].as_str().unwrap());
            assert!(
                labels.remove("job") && labels.remove("instance"),
                "{name}: job and instance"
            );
            assert_eq!(
                Some(&labels),
                exposed.get(&name),
                "{name}: labels differ from /metrics"
            );
            seen += 1;
        }
    }
    assert!(seen >= 20, "{seen} input series");
}

#[actix_web::test]
async fn new_failures_expired_exceptions_and_outcomes_are_counted() {
    let app = scanned_app().await;
    let text = metrics_of(&app).await;
    let value = |series: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(series)?
                    .strip_prefix(' ')?
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    for p in ["cis_scan", "compliance_scan"] {
        // the expired exception's check failed again; the other stayed skipped
        assert_eq!(
            value(&format!("{p}_new_failures{{cluster_name=\"demo\"}}")),
            1.0
        );
        let exceptions = |state: &str| {
            value(&format!(
                "{p}_exceptions{{cluster_name=\"demo\",state=\"{state}\"}}"
            ))
        };
        assert_eq!(exceptions("expired_failing"), 1.0);
        assert_eq!(exceptions("expiring"), 1.0);
        assert_eq!(exceptions("active") + exceptions("expired"), 0.0);
        assert_eq!(
            value(&format!(
                "{p}_scans_total{{cluster_name=\"demo\",outcome=\"succeeded\"}}"
            )),
            3.0
        );
        assert_eq!(
            value(&format!(
                "{p}_scans_total{{cluster_name=\"other\",outcome=\"failed\"}}"
            )),
            0.0
        );
        assert_eq!(
            value(&format!("{p}_num_scans_complete{{cluster_name=\"demo\"}}")),
            3.0
        );
    }
    let schedule = text
        .lines()
        .find(|l| l.starts_with("cis_scan_schedule_interval_seconds{cluster_name=\"demo\""))
        .expect("the schedule's interval");
    assert!(schedule.ends_with(" 3600"), "{schedule}");
    assert!(text.contains("cis_scan_schedule_last_success_timestamp_seconds{cluster_name=\"demo\""));
    assert!(
        text.contains("cis_scan_check_failing_clusters{scan_profile_name=\"cis-1.11\",check_id=\"")
    );
    assert!(
        !text.contains("cis_scan_new_failures{cluster_name=\"other\""),
        "no report, no figure"
    );
}
