//! Scheduled scans: validation, time zones, due ticks with a clock parameter,
//! queueing, retention, the missed-tick rule, a real timer, alerts, metrics,
//! and two replicas sharing one schedule.

use crate::support::app::{spawn_app, TestApp};
use crate::support::database::TestDatabase;
use crate::support::gated::GatedSource;
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use chrono::{DateTime, Duration, Timelike, Utc};
use cis_scan::service::domain::{Principal, ScanState};
use cis_scan::service::schedule::ScheduleInput;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

fn admin() -> Principal {
    Principal::Admin {
        token_id: Uuid::new_v4(),
    }
}

fn hourly(retention: i32) -> ScheduleInput {
    ScheduleInput {
        cron: Some("0 * * * *".into()),
        retention: Some(retention),
        ..Default::default()
    }
}

async fn wait_all_done(
    app: &TestApp,
    schedule: Uuid,
    n: usize,
) -> Vec<cis_scan::service::store::entity::scan::Model> {
    let what = format!("{n} scans of schedule {schedule} to finish");
    wait_for(&what, EVENT, || async {
        let scans = app.state.store().schedule_scans(schedule).await.unwrap();
        let done = scans.len() >= n
            && scans
                .iter()
                .all(|s| !["QUEUED", "RUNNING"].contains(&s.state.as_str()));
        done.then_some(scans)
    })
    .await
}

#[actix_web::test]
async fn schedule_api_validates_fields_and_follows_time_zones() {
    let app = spawn_app().await;
    let create = "mutation($cron: String!, $tz: String, $r: Int, $b: String) { createSchedule(clusterId: \"demo\", cron: $cron, timezone: $tz, retention: $r, benchmark: $b) { id cron timezone retention nextRunAt lastRunAt enabled cluster { id } } }";
    for (vars, field) in [
        (json!({ "cron": "every day" }), "cron:"),
        (json!({ "cron": "0 3 * * * * *" }), "cron:"),
        (json!({ "cron": "0 25 * * *" }), "cron:"),
        (
            json!({ "cron": "0 3 * * *", "tz": "Mars/Olympus" }),
            "timezone:",
        ),
        (json!({ "cron": "0 3 * * *", "r": 0 }), "retention:"),
        (json!({ "cron": "0 3 * * *", "b": "cis-9" }), "benchmark:"),
    ] {
        let r = app.gql(create, vars.clone()).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{vars}");
        assert!(
            r["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{vars}: {r}"
        );
    }
    let s = app
        .ok(
            create,
            json!({ "cron": "0 3 * * *", "tz": "Europe/Berlin" }),
        )
        .await;
    let sched = &s["createSchedule"];
    assert_eq!(sched["retention"], 3, "default retention");
    let next: DateTime<Utc> = sched["nextRunAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        next.with_timezone(&chrono_tz::Europe::Berlin).hour(),
        3,
        "03:00 Berlin time"
    );
    assert!(sched["lastRunAt"].is_null());
    let utc = app.ok(create, json!({ "cron": "30 0 6 * * *" })).await;
    assert_eq!(utc["createSchedule"]["timezone"], "UTC");
    let id = sched["id"].as_str().unwrap();
    let listed = app
        .ok("{ schedules(clusterId: \"demo\") { id } }", json!({}))
        .await;
    assert_eq!(listed["schedules"].as_array().unwrap().len(), 2);
    let upd = app.ok("mutation($id: ID!) { updateSchedule(id: $id, enabled: false, retention: 5) { enabled retention cron } }", json!({ "id": id })).await;
    assert_eq!(
        upd["updateSchedule"],
        json!({ "enabled": false, "retention": 5, "cron": "0 3 * * *" })
    );
    let bad = app
        .gql(
            "mutation($id: ID!) { updateSchedule(id: $id, timezone: \"Nowhere\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    // owners manage their own clusters' schedules only
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let r = app
        .gql_as(Some(&owner), create, json!({ "cron": "0 3 * * *" }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r = app
        .gql_as(
            Some(&owner),
            "mutation($id: ID!) { deleteSchedule(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let mine = app
        .gql_as(
            Some(&owner),
            "mutation { createSchedule(clusterId: \"other\", cron: \"0 4 * * 1\") { id } }",
            json!({}),
        )
        .await;
    assert!(mine.get("errors").is_none(), "{mine}");
    assert_eq!(
        app.ok(
            "mutation($id: ID!) { deleteSchedule(id: $id) }",
            json!({ "id": id })
        )
        .await["deleteSchedule"],
        true
    );
    assert_eq!(
        code(
            &app.gql(
                "mutation($id: ID!) { deleteSchedule(id: $id) }",
                json!({ "id": id })
            )
            .await
        ),
        "NOT_FOUND"
    );
}

#[actix_web::test]
async fn due_ticks_queue_once_and_retention_keeps_manual_reports() {
    let app = spawn_app().await;
    let now = Utc::now();
    let s = app
        .state
        .scheduler
        .create("demo", hourly(2), &admin(), now - Duration::hours(10))
        .await
        .unwrap();
    // ten missed hours: one scan
    let first = app.state.scheduler.run_due(now).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        app.state.scheduler.run_due(now).await.unwrap().is_empty(),
        "the same tick fires once"
    );
    wait_all_done(&app, s.id, 1).await;
    let manual = app.scan_to_end("demo").await;
    for h in 1..=2 {
        assert_eq!(
            app.state
                .scheduler
                .run_due(now + Duration::hours(h))
                .await
                .unwrap()
                .len(),
            1
        );
        wait_all_done(&app, s.id, h as usize + 1).await;
    }
    let kept = wait_for("retention to prune to 2 reports", EVENT, || async {
        let kept = app.state.store().schedule_reports(s.id).await.unwrap();
        (kept.len() <= 2).then_some(kept)
    })
    .await;
    assert_eq!(kept.len(), 2, "retention 2");
    let scans = app.state.store().schedule_scans(s.id).await.unwrap();
    assert_eq!(scans.len(), 3);
    assert!(
        kept.iter().all(|r| r.scan_id != scans[0].id),
        "the oldest scheduled report was pruned"
    );
    let still = app
        .ok(
            "query($id: ID!) { report(id: $id) { id } }",
            json!({ "id": manual["report"]["id"] }),
        )
        .await;
    assert_eq!(
        still["report"]["id"], manual["report"]["id"],
        "manual reports are never pruned"
    );
    let sched = app.state.store().schedule(s.id).await.unwrap().unwrap();
    assert!(sched.last_run_at.unwrap() > now + Duration::minutes(59));
    assert!(sched.next_run_at > sched.last_run_at.unwrap());
}

#[actix_web::test]
async fn a_tick_while_the_cluster_scans_queues_one_scan() {
    let (gated, gate) = GatedSource::cluster();
    let app = TestApp::builder().cluster(gated).spawn().await;
    let now = Utc::now();
    let s = app
        .state
        .scheduler
        .create("gated", hourly(10), &admin(), now - Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(app.state.scheduler.run_due(now).await.unwrap().len(), 1);
    wait_for("the scheduled scan to run", EVENT, || async {
        let scans = app.state.store().schedule_scans(s.id).await.unwrap();
        (scans[0].state == ScanState::Running).then_some(())
    })
    .await;
    assert_eq!(
        app.state
            .scheduler
            .run_due(now + Duration::hours(1))
            .await
            .unwrap()
            .len(),
        1,
        "queued behind the running one"
    );
    assert_eq!(
        app.state
            .scheduler
            .run_due(now + Duration::hours(2))
            .await
            .unwrap()
            .len(),
        0,
        "one waiting is enough"
    );
    assert_eq!(
        app.state
            .scheduler
            .run_due(now + Duration::hours(3))
            .await
            .unwrap()
            .len(),
        0
    );
    gate.add_permits(2);
    let scans = wait_all_done(&app, s.id, 2).await;
    assert_eq!(scans.len(), 2);
    assert!(scans.iter().all(|s| s.state == ScanState::Succeeded));
}

#[actix_web::test]
async fn ticks_missed_while_down_run_once_at_start() {
    let database = TestDatabase::fresh().await;
    // the first process dies right after the schedule was created
    let first = crate::support::doomed::Doomed::start(TestApp::builder().database(&database)).await;
    let (s, fired) = first
        .run(|svc| async move {
            let created = Utc::now() - Duration::hours(6);
            let s = svc
                .scheduler
                .create("demo", hourly(5), &admin(), created)
                .await
                .unwrap();
            let fired = svc.store().schedule_scans(s.id).await.unwrap();
            (s, fired)
        })
        .await;
    first.crash();
    assert!(fired.is_empty());
    let second = TestApp::builder().database(&database).spawn().await;
    let scans = wait_all_done(&second, s.id, 1).await;
    assert_eq!(scans.len(), 1, "six missed ticks, one scan");
}

#[actix_web::test]
async fn a_real_timer_fires_and_deleting_stops_it() {
    let app = TestApp::builder()
        .min_schedule_interval(std::time::Duration::from_secs(1))
        .cluster(crate::support::app::other_cluster())
        .spawn()
        .await;
    let every_second = |cluster: &str| {
        let q = format!("mutation {{ createSchedule(clusterId: \"{cluster}\", cron: \"* * * * * *\", retention: 50) {{ id }} }}");
        let app = &app;
        async move {
            let d = app.ok(&q, json!({})).await;
            d["createSchedule"]["id"]
                .as_str()
                .unwrap()
                .parse::<Uuid>()
                .unwrap()
        }
    };
    let id = every_second("demo").await;
    // a witness on another cluster: its ticks show the timer kept running
    let witness = every_second("other").await;
    let scans_of = |schedule: Uuid| {
        let app = &app;
        async move {
            app.state
                .store()
                .schedule_scans(schedule)
                .await
                .unwrap()
                .len()
        }
    };
    wait_for(
        "the real timer to fire the every-second schedule",
        EVENT,
        || async { (scans_of(id).await > 0).then_some(()) },
    )
    .await;
    app.ok(
        "mutation($id: ID!) { deleteSchedule(id: $id) }",
        json!({ "id": id.to_string() }),
    )
    .await;
    // a tick under way while it was deleted has landed once the witness ticked again
    let after_delete = scans_of(witness).await;
    wait_for("a witness tick after the delete", EVENT, || async {
        (scans_of(witness).await > after_delete).then_some(())
    })
    .await;
    let n1 = scans_of(id).await;
    // two more ticks of the timer: the deleted schedule would have fired in them
    let base = scans_of(witness).await;
    wait_for("two more witness ticks", EVENT, || async {
        (scans_of(witness).await >= base + 2).then_some(())
    })
    .await;
    assert_eq!(
        scans_of(id).await,
        n1,
        "a deleted schedule stops firing at once"
    );
}

/// A webhook receiver on loopback that records what it gets.
pub(crate) fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let g = got.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let g = actix_web::web::Data::new(g);
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new().app_data(g.clone()).route(
                    "/hook",
                    actix_web::web::post().to(|body: actix_web::web::Json<Value>, got: actix_web::web::Data<Arc<Mutex<Vec<Value>>>>| async move {
                        got.lock().unwrap().push(body.into_inner());
                        actix_web::HttpResponse::NoContent().finish()
                    }),
                )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(server.addrs()[0].port()).unwrap();
            let _ = server.run().await;
        })
    });
    (format!("http://127.0.0.1:{}/hook", rx.recv().unwrap()), got)
}

#[actix_web::test]
async fn alerts_reach_the_webhook_and_a_down_receiver_fails_nothing() {
    let (url, got) = receiver();
    // bound but not listening for the whole test: every delivery is refused
    let (_held, down) = crate::support::process::refusing_address();
    let down = format!("http://{down}/hook");
    let app = TestApp::builder()
        .alert_webhooks(&[&down, &url])
        .spawn()
        .await;
    let input = ScheduleInput {
        alert_on_failure: Some(true),
        ..hourly(3)
    };
    let sched = app
        .state
        .scheduler
        .create("demo", input, &admin(), Utc::now() - Duration::hours(1))
        .await
        .unwrap();
    app.state.scheduler.run_due(Utc::now()).await.unwrap();
    let scans = wait_all_done(&app, sched.id, 1).await;
    assert_eq!(
        scans[0].state,
        ScanState::Succeeded,
        "a receiver that is down does not fail the scan"
    );
    let a = wait_for("the webhook to get the alert", EVENT, || async {
        got.lock().unwrap().first().cloned()
    })
    .await;
    assert_eq!(a["event"], "scan.failed", "checks failed");
    assert_eq!(a["cluster"], "demo");
    assert_eq!(a["state"], "SUCCEEDED");
    assert_eq!(a["reportId"], scans[0].report_id.unwrap().to_string());
    assert!(a["reportUrl"].as_str().unwrap().ends_with("/csv"));
    assert!(a["summary"]["fail"].as_i64().unwrap() > 0);
    assert!(
        a["failedChecks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "1.2.15"),
        "{a}"
    );
}

#[actix_web::test]
async fn metrics_in_prometheus_text_format() {
    let app = spawn_app().await;
    let scan = app.scan_to_end("demo").await;
    // the duration is observed just after the scan's row says SUCCEEDED: wait for it (bounded)
    let text = wait_for("the scan's duration in /metrics", EVENT, || async {
        let text = app.admin_text("/metrics").await;
        text.contains("cis_scan_scan_duration_seconds_count")
            .then_some(text)
    })
    .await;
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .expect("valid exposition");
    let value = |name: &str, cluster: &str| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && s.labels.get("cluster_name") == Some(cluster))
            .map(|s| match s.value {
                prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => -1.0,
            })
    };
    assert_eq!(value("cis_scan_num_tests_total", "demo"), Some(133.0));
    let fail = value("cis_scan_num_tests_fail", "demo").unwrap();
    assert!(fail > 0.0);
    for m in [
        "cis_scan_num_tests_pass",
        "cis_scan_num_tests_warn",
        "cis_scan_num_tests_skipped",
        "cis_scan_num_tests_na",
    ] {
        assert!(value(m, "demo").is_some(), "{m}");
    }
    let sample = scrape
        .samples
        .iter()
        .find(|s| s.metric == "cis_scan_num_tests_total")
        .unwrap();
    assert_eq!(sample.labels.get("scan_profile_name"), Some("cis-1.11"));
    assert_eq!(
        sample.labels.get("scan_name"),
        Some(scan["id"].as_str().unwrap())
    );
    assert!(value("cis_scan_num_scans_complete", "demo").unwrap() >= 1.0);
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric == "cis_scan_queue_length"));
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "cis_scan_scan_duration_seconds_count"),
        "{text}"
    );
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric == "cis_scan_http_requests_total"
            && s.labels.get("route") == Some("/graphql")));
}

#[actix_web::test]
async fn two_replicas_share_one_schedule() {
    let a = TestApp::builder().spawn().await;
    let b = TestApp::builder().database(&a.database).spawn().await;
    let now = Utc::now();
    let s = a
        .state
        .scheduler
        .create("demo", hourly(10), &admin(), now - Duration::hours(1))
        .await
        .unwrap();
    for h in 0..3 {
        let t = now + Duration::hours(h);
        let (ra, rb) = tokio::join!(a.state.scheduler.run_due(t), b.state.scheduler.run_due(t));
        assert_eq!(
            ra.unwrap().len() + rb.unwrap().len(),
            1,
            "tick {h} fired once across both replicas"
        );
        wait_all_done(&a, s.id, h as usize + 1).await;
    }
    let scans = a.state.store().schedule_scans(s.id).await.unwrap();
    assert_eq!(scans.len(), 3);
    assert!(
        scans.iter().all(|s| s.state == ScanState::Succeeded),
        "{scans:?}"
    );
    assert_eq!(
        a.state.store().schedule_reports(s.id).await.unwrap().len(),
        3,
        "each tick yields exactly one report"
    );
}

#[actix_web::test]
async fn a_subscriber_on_one_replica_follows_a_scan_on_another() {
    if std::env::var("TEST_DATABASE_URL")
        .map(|u| u.is_empty())
        .unwrap_or(true)
    {
        eprintln!("cross-replica progress needs PostgreSQL (TEST_DATABASE_URL): skipped on SQLite, which serves one process");
        return;
    }
    let (gated, gate) = GatedSource::cluster();
    let runner = TestApp::builder().cluster(gated).spawn().await;
    let (gated_b, _gate_b) = GatedSource::cluster();
    let watcher = TestApp::builder()
        .database(&runner.database)
        .cluster(gated_b)
        .spawn()
        .await;
    let id = runner
        .ok(
            "mutation { runScan(clusterId: \"gated\") { id } }",
            json!({}),
        )
        .await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let init = json!({ "Authorization": format!("Bearer {}", watcher.admin) });
    let port = watcher.port;
    let progress = "subscription($id: ID!) { scanProgress(scanId: $id) { phase state reportId } }";
    let events_q = "subscription { scanEvents(clusterId: \"gated\") { scanId phase state } }";
    let seen = crate::support::ws::Seen::default();
    let sub = tokio::spawn({
        let (init, id, seen) = (init.clone(), id.clone(), seen.clone());
        async move {
            crate::support::ws::subscribe_until(
                port,
                init,
                progress,
                json!({ "id": id }),
                move |_| seen.saw(),
            )
            .await
        }
    });
    let all_seen = crate::support::ws::Seen::default();
    let all = tokio::spawn({
        let all_seen = all_seen.clone();
        async move {
            crate::support::ws::subscribe_until(port, init, events_q, json!({}), move |d| {
                all_seen.saw();
                d["scanEvents"]["phase"] == "DONE"
            })
            .await
        }
    });
    watcher.probe_until_seen("gated", &all_seen).await;
    seen.wait().await;
    gate.add_permits(1);
    let (events, err) = sub.await.unwrap();
    assert!(err.is_none(), "{err:?}");
    let phases: Vec<&str> = events
        .iter()
        .map(|e| e["scanProgress"]["phase"].as_str().unwrap())
        .collect();
    assert!(
        phases.contains(&"EVALUATING"),
        "events from the other replica: {phases:?}"
    );
    assert_eq!(events.last().unwrap()["scanProgress"]["state"], "SUCCEEDED");
    let (cluster_events, _) = all.await.unwrap();
    assert!(
        cluster_events
            .iter()
            .any(|e| e["scanEvents"]["scanId"] == id.as_str()
                && e["scanEvents"]["state"] == "SUCCEEDED"),
        "{cluster_events:?}"
    );
}

#[actix_web::test]
async fn scan_events_stream_every_scan_of_a_cluster_including_scheduled_ones() {
    let app = spawn_app().await;
    let init = json!({ "Authorization": format!("Bearer {}", app.admin) });
    let port = app.port;
    let seen = crate::support::ws::Seen::default();
    let sub = tokio::spawn({
        let seen = seen.clone();
        async move {
            let q = "subscription { scanEvents(clusterId: \"demo\") { scanId phase state } }";
            crate::support::ws::subscribe_until(port, init, q, json!({}), move |d| {
                seen.saw();
                d["scanEvents"]["phase"] == "DONE"
            })
            .await
        }
    });
    app.probe_until_seen("demo", &seen).await;
    app.state
        .scheduler
        .create("demo", hourly(3), &admin(), Utc::now() - Duration::hours(1))
        .await
        .unwrap();
    let queued = app.state.scheduler.run_due(Utc::now()).await.unwrap();
    assert_eq!(queued.len(), 1);
    let (events, err) = sub.await.unwrap();
    assert!(err.is_none());
    let probe = uuid::Uuid::nil().to_string();
    assert!(events
        .iter()
        .filter(|e| e["scanEvents"]["scanId"] != probe.as_str())
        .all(|e| e["scanEvents"]["scanId"] == queued[0].to_string()));
    assert_eq!(events.last().unwrap()["scanEvents"]["state"], "SUCCEEDED");
}

#[actix_web::test]
async fn a_report_pruned_by_retention_is_not_served_from_memory() {
    let app = TestApp::builder()
        // only the prune itself can drop the report from memory within this test
        .report_cache_recheck(std::time::Duration::from_secs(600))
        .spawn()
        .await;
    let now = Utc::now();
    let sched = app
        .state
        .scheduler
        .create("demo", hourly(1), &admin(), now - Duration::hours(1))
        .await
        .unwrap();
    app.state.scheduler.run_due(now).await.unwrap();
    let first = wait_all_done(&app, sched.id, 1).await[0].report_id.unwrap();
    let q = "query($id: ID!) { report(id: $id) { id } }";
    app.ok(q, json!({ "id": first.to_string() })).await;
    app.state
        .scheduler
        .run_due(now + Duration::hours(1))
        .await
        .unwrap();
    wait_all_done(&app, sched.id, 2).await;
    // retention runs just after the scan is saved; without the prune dropping it, the
    // report would be served from memory for the whole (10-minute) recheck window
    wait_for("the pruned report to be NOT_FOUND", EVENT, || async {
        let r = app.gql(q, json!({ "id": first.to_string() })).await;
        (code(&r) == "NOT_FOUND").then_some(())
    })
    .await;
}
