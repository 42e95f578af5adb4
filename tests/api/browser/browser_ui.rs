//! The web UI in a real browser (Debian's chromium through chromedriver), against
//! the running service, with every other host unreachable. Set
//! UI_SCREENSHOTS=docs/screenshots to refresh the documentation's pictures.

use crate::support::app::{spawn_app, TestApp};
use crate::support::browser::Browser;
use crate::support::ui::{signed_in, signed_in_with_report};
use crate::support::wait::{wait_for, EVENT};
use fantoccini::Locator;
use serde_json::json;

/// Opens a report page and waits for its checks.
async fn open_report(app: &TestApp, b: &Browser, report: &str, query: &str) {
    b.open(&format!("{}/#/reports/{report}{query}", app.address))
        .await;
    b.wait(Locator::Css("ul.checks")).await;
}

/// Ids and states of the check rows on the page.
async fn rows(b: &Browser) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row in b
        .client
        .find_all(Locator::Css("button.check-row"))
        .await
        .unwrap()
    {
        let id = row
            .find(Locator::Css(".cid"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let badge = row.find(Locator::Css(".badge")).await.unwrap();
        let class = badge.attr("class").await.unwrap().unwrap_or_default();
        let state = class
            .split_whitespace()
            .find_map(|c| c.strip_prefix("s-"))
            .unwrap_or("")
            .to_string();
        out.push((id, state));
    }
    out
}

#[actix_web::test]
async fn signing_in_shows_every_cluster_with_its_trend_and_signing_out_returns_to_sign_in() {
    let app = spawn_app().await;
    // three demo reports, the second with a failure skipped; one of the other cluster; a schedule
    app.scan_to_end("demo").await;
    let skip = "mutation($s: Boolean!) { skip: skipTest(clusterId: \"demo\", testId: \"1.2.16\", reason: \"audit logs go to the SIEM\") @include(if: $s) { testId } unskip: unskipTest(clusterId: \"demo\", testId: \"1.2.16\") @skip(if: $s) }";
    app.ok(skip, json!({ "s": true })).await;
    app.scan_to_end("demo").await;
    app.ok(skip, json!({ "s": false })).await;
    app.scan_to_end("demo").await;
    app.scan_to_end("other").await;
    app.ok(
        "mutation { createSchedule(clusterId: \"demo\", cron: \"0 3 * * *\", timezone: \"Europe/Berlin\") { id } }",
        json!({}),
    )
    .await;
    let b = Browser::start().await;
    b.sign_in(&app.address, &app.admin).await;
    b.until_text("both clusters", |t| {
        t.contains("Demo kubeadm cluster") && t.contains("Other")
    })
    .await;
    let trend = b
        .wait(Locator::XPath(
            "//tr[.//a[text()='Demo kubeadm cluster']]//*[@role='img']",
        ))
        .await;
    let label = trend.attr("aria-label").await.unwrap().unwrap();
    assert!(
        label.contains("last 3 reports") && label.ends_with("15, 14, 15"),
        "{label}"
    );
    b.screenshot("overview").await;
    b.click("Sign out").await;
    b.input("API token").await;
    b.client.refresh().await.unwrap();
    let text = b
        .until_text("sign-in after a refresh", |t| t.contains("Sign in"))
        .await;
    assert!(!text.contains("Demo kubeadm cluster"), "{text}");
    b.close().await;
}

#[actix_web::test]
async fn a_wrong_token_is_refused_with_the_reason() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    b.open(&format!("{}/", app.address)).await;
    b.screenshot("sign-in").await;
    b.input("API token")
        .await
        .send_keys("cis_nonsense")
        .await
        .unwrap();
    b.click("Sign in").await;
    b.until_text("the refusal", |t| t.contains("the token is not known"))
        .await;
    b.close().await;
}

#[actix_web::test]
async fn a_revoked_token_returns_to_sign_in_with_the_reason() {
    let app = spawn_app().await;
    let req = cis_scan::service::auth::TokenRequest::default();
    let (id, token) = cis_scan::service::auth::create(app.state.store(), req)
        .await
        .unwrap();
    let b = Browser::start().await;
    b.sign_in(&app.address, &token).await;
    app.state.store().revoke_token(id).await.unwrap();
    // the service trusts a token row it read for 4 s: move its clock past that
    let ttl = cis_scan::service::token_cache::TOKEN_CACHE_TTL;
    app.state
        .scanner
        .clock
        .advance(chrono::Duration::from_std(ttl).unwrap());
    // the page learns it from its next request: its live subscription's recheck, or a page
    // it opens. Moving within the app (no reload, which would forget the answer) until then.
    let fleet = format!("{}/#/fleet", app.address);
    let overview = format!("{}/#/", app.address);
    let mut on_fleet = false;
    wait_for("sign-in with the revocation's reason", EVENT, || {
        let b = &b;
        on_fleet = !on_fleet;
        let next = if on_fleet {
            fleet.clone()
        } else {
            overview.clone()
        };
        async move {
            let text = b.text().await;
            if text.contains("the token was revoked") {
                return Some(());
            }
            if !text.contains("API token") {
                b.open(&next).await;
            }
            None
        }
    })
    .await;
    b.input("API token").await;
    b.close().await;
}

#[actix_web::test]
async fn running_a_scan_fills_the_progress_bar_and_opens_the_report() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    b.named("h1", "Demo kubeadm cluster").await;
    b.screenshot("cluster").await;
    b.click("Run scan").await;
    // the progress bar is sampled until the report opens
    let progress = std::sync::Mutex::new(Vec::new());
    crate::support::wait::wait_for_showing(
        "the report to open",
        crate::support::browser::WAIT,
        || async {
            if b.route().await.starts_with("#/reports/") {
                return Ok(());
            }
            if let Ok(bar) = b.client.find(Locator::Css("[role=progressbar]")).await {
                if let Ok(Some(v)) = bar.attr("aria-valuenow").await {
                    progress.lock().unwrap().push(v.parse::<u32>().unwrap());
                }
            }
            Err(format!("progress seen: {:?}", progress.lock().unwrap()))
        },
    )
    .await;
    let seen = progress.into_inner().unwrap();
    assert_eq!(seen.iter().max(), Some(&100), "progress seen: {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress went back: {seen:?}"
    );
    let report = b.route().await.trim_start_matches("#/reports/").to_string();
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { clusterId summary { fail } } }",
            json!({ "id": report }),
        )
        .await;
    assert_eq!(d["report"]["clusterId"], "demo");
    let fail = d["report"]["summary"]["fail"].as_i64().unwrap();
    b.until_text("the report's summary", |t| {
        t.contains(&format!("{fail} FAIL"))
    })
    .await;
    b.close().await;
}

#[actix_web::test]
async fn filtering_fail_shows_only_failures_and_a_check_opens_to_each_nodes_evidence_and_audit() {
    let (app, b, report) = signed_in_with_report().await;
    open_report(&app, &b, &report, "").await;
    b.screenshot("report").await;
    b.click("FAIL").await;
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { summary { fail } results(states: [FAIL], order: WORST_FIRST) { id nodes { node state actual expected source audit } } } }",
            json!({ "id": report }),
        )
        .await;
    let fails = d["report"]["results"].as_array().unwrap();
    let want = d["report"]["summary"]["fail"].as_u64().unwrap() as usize;
    b.until_text("the FAIL filter", |t| {
        t.contains(&format!("{want} checks match"))
    })
    .await;
    let shown = rows(&b).await;
    assert_eq!(shown.len(), want.min(50));
    assert!(shown.iter().all(|(_, s)| s == "FAIL"), "{shown:?}");
    assert!(
        b.route().await.contains("state=FAIL"),
        "the filter is in the URL"
    );

    let first = &fails[0];
    let id = first["id"].as_str().unwrap();
    let row =
        format!("//button[contains(@class,'check-row')][.//span[@class='cid' and text()='{id}']]");
    b.wait(Locator::XPath(&row)).await.click().await.unwrap();
    let table = format!("//table[@aria-label='Nodes of {id}']");
    b.wait(Locator::XPath(&table)).await;
    b.screenshot("check").await;
    let text = b.text().await;
    assert!(text.contains("Remediation"), "{text}");
    for n in first["nodes"].as_array().unwrap() {
        for field in ["node", "actual", "expected", "source", "audit"] {
            let v = n[field].as_str().unwrap();
            assert!(
                text.contains(v.trim()),
                "node evidence {field} '{v}' not shown:\n{text}"
            );
        }
    }
    b.close().await;
}

/// The demo cluster's page with the new-schedule form open.
async fn new_schedule_form() -> (TestApp, Browser) {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    b.click("New schedule").await;
    (app, b)
}

#[actix_web::test]
async fn schedules_are_created_paused_and_deleted_from_the_cluster_page() {
    let (app, b) = new_schedule_form().await;
    b.fill("Cron", "30 2 * * 1").await;
    b.fill("Time zone", "Europe/Berlin").await;
    b.click("Create schedule").await;
    b.named("button", "Pause schedule 30 2 * * 1").await;
    let q = "{ schedules(clusterId: \"demo\") { cron timezone enabled nextRunAt } }";
    let s = app.ok(q, json!({})).await["schedules"][0].clone();
    assert_eq!(
        (s["cron"].as_str(), s["timezone"].as_str()),
        (Some("30 2 * * 1"), Some("Europe/Berlin"))
    );
    b.click("Pause schedule 30 2 * * 1").await;
    b.named("button", "Resume schedule 30 2 * * 1").await;
    assert_eq!(app.ok(q, json!({})).await["schedules"][0]["enabled"], false);
    b.click("Delete schedule 30 2 * * 1").await;
    b.until_text("no schedules", |t| t.contains("No schedules."))
        .await;
    b.close().await;
}

#[actix_web::test]
async fn a_bad_cron_is_refused_inline_naming_the_field() {
    let (app, b) = new_schedule_form().await;
    b.fill("Cron", "every tuesday").await;
    b.click("Create schedule").await;
    let alert = b.wait(Locator::Css(".schedule-form [role=alert]")).await;
    let text = alert.text().await.unwrap();
    assert!(text.contains("cron"), "{text}");
    assert!(app.ok("{ schedules { id } }", json!({})).await["schedules"]
        .as_array()
        .unwrap()
        .is_empty());
    b.close().await;
}

#[actix_web::test]
async fn the_keyboard_alone_signs_in_and_opens_a_check() {
    let app = spawn_app().await;
    let report = app.scan_to_end("demo").await["report"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = Browser::start().await;
    b.open(&format!("{}/", app.address)).await;
    b.input("API token")
        .await
        .send_keys(&format!("{}\u{E007}", app.admin))
        .await
        .unwrap(); // Enter
    b.named("h1", "Overview").await;
    b.open(&format!("{}/#/reports/{report}?state=FAIL", app.address))
        .await;
    let row = b.wait(Locator::Css("button.check-row")).await;
    row.send_keys("\u{E007}").await.unwrap(); // Enter on the focused row's button
    b.wait(Locator::Css("table.nodes")).await;
    assert_eq!(
        row.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    b.close().await;
}
