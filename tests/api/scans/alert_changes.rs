//! Alerts of scheduled scans name what changed since the cluster's previous report.

use crate::scans::schedules::receiver;
use crate::support::app::TestApp;
use crate::support::wait::{wait_for, EVENT};
use chrono::{DateTime, Duration, Utc};
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::service::domain::Principal;
use cis_scan::service::schedule::ScheduleInput;
use cis_scan::sources::{ClusterSource, Gathered, NodeProgress, SnapshotSource};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The demo cluster whose API server gets `--profiling=false` after its first
/// scan: 1.2.15 fails once, then passes (its administrator fixed it).
struct MendedAfterFirstScan {
    demo: SnapshotSource,
    scans: AtomicUsize,
}

#[async_trait::async_trait]
impl ClusterSource for MendedAfterFirstScan {
    fn describe(&self) -> String {
        "the demo, profiling turned off after the first scan".into()
    }
    fn kubernetes_version(&self) -> Option<String> {
        self.demo.kubernetes_version()
    }
    async fn gather(&self, scan: Uuid, progress: NodeProgress<'_>) -> cis_scan::Result<Gathered> {
        let mut g = self.demo.gather(scan, progress).await?;
        if self.scans.fetch_add(1, Ordering::SeqCst) > 0 {
            for n in &mut g.nodes {
                if let Some(api) = n.components.get_mut("apiserver") {
                    if let Some(p) = api.process.as_mut() {
                        p.cmdline.push("--profiling=false".into());
                    }
                    if let Some(m) = api.manifest.as_mut() {
                        m.args.push("--profiling=false".into());
                    }
                }
            }
        }
        Ok(g)
    }
}

/// A service with the `mended` cluster, alerts to a receiver, and an hourly
/// schedule on `cluster` that alerts on failure, due at `now`.
async fn with_alerting_schedule(
    cluster: &str,
    now: DateTime<Utc>,
) -> (TestApp, Arc<Mutex<Vec<Value>>>) {
    let (url, got) = receiver();
    let mended = ExtraCluster {
        id: "mended".into(),
        name: "Mended".into(),
        source: Arc::new(MendedAfterFirstScan {
            demo: SnapshotSource::open("builtin:demo").unwrap(),
            scans: AtomicUsize::new(0),
        }),
    };
    let app = TestApp::builder()
        .alert_webhooks(&[&url])
        .cluster(mended)
        .spawn()
        .await;
    let admin = Principal::Admin {
        token_id: Uuid::new_v4(),
    };
    let input = ScheduleInput {
        cron: Some("0 * * * *".into()),
        alert_on_failure: Some(true),
        ..Default::default()
    };
    app.state
        .scheduler
        .create(cluster, input, &admin, now - Duration::hours(1))
        .await
        .unwrap();
    (app, got)
}

/// Waits (bounded) until the receiver holds `n` alerts; returns the `n`th.
async fn nth_alert(got: &Arc<Mutex<Vec<Value>>>, n: usize) -> Value {
    wait_for(&format!("alert {n} to arrive"), EVENT, || async {
        got.lock().unwrap().get(n - 1).cloned()
    })
    .await
}

/// Runs the schedules due at `at`, as the timer would.
async fn run_due(app: &TestApp, at: DateTime<Utc>) {
    app.state.scheduler.run_due(at).await.unwrap();
}

async fn set_skip(app: &TestApp, skip: bool) {
    let q = if skip {
        "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\", reason: \"later\") { testId } }"
    } else {
        "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.15\") }"
    };
    app.ok(q, json!({})).await;
}

#[actix_web::test]
async fn an_alert_names_the_failures_new_since_the_previous_report() {
    let now = Utc::now();
    let (app, got) = with_alerting_schedule("demo", now).await;
    // 1.2.15 fails on the demo; skipped for the first scan, it fails again in the second
    set_skip(&app, true).await;
    run_due(&app, now).await;
    let first = nth_alert(&got, 1).await;
    assert!(first["previousReportId"].is_null(), "first report: {first}");
    assert_eq!(first["newFailures"], json!([]));
    assert_eq!(first["fixed"], json!([]));

    set_skip(&app, false).await;
    run_due(&app, now + Duration::hours(1)).await;
    let second = nth_alert(&got, 2).await;
    assert_eq!(second["previousReportId"], first["reportId"], "{second}");
    let ids: Vec<&str> = second["newFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1.2.15"], "{second}");
    assert!(!second["newFailures"][0]["description"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(second["newFailuresCount"], 1);
    assert_eq!(second["newFailuresTruncated"], false);
    assert_eq!(second["fixed"], json!([]));
    let text = second["text"].as_str().unwrap();
    assert!(
        text.contains("demo") && text.contains("1 new failure since the previous report: 1.2.15"),
        "{text}"
    );
}

#[actix_web::test]
async fn an_alert_names_the_checks_fixed_since_the_previous_report() {
    let now = Utc::now();
    let (app, got) = with_alerting_schedule("mended", now).await;
    run_due(&app, now).await;
    let first = nth_alert(&got, 1).await;
    assert_eq!(first["fixed"], json!([]), "{first}");

    // profiling is off by the second scan: 1.2.15 passes; the rest still fails, so it alerts
    run_due(&app, now + Duration::hours(1)).await;
    let second = nth_alert(&got, 2).await;
    assert_eq!(second["previousReportId"], first["reportId"], "{second}");
    assert_eq!(second["fixed"], json!(["1.2.15"]), "{second}");
    assert_eq!(second["fixedCount"], 1, "{second}");
    assert_eq!(second["newFailures"], json!([]), "{second}");
    let text = second["text"].as_str().unwrap();
    assert!(
        text.contains("no new failures since the previous report; 1 fixed"),
        "{text}"
    );
}
