//! What people do on a report in the web UI, in a real browser: skip and unskip,
//! download, delete; exceptions; what an owner sees; an unknown report.

use crate::support::app::{spawn_app, TestApp};
use crate::support::browser::Browser;
use crate::support::requests::code;
use crate::support::ui::{signed_in, signed_in_with_report};
use fantoccini::Locator;
use serde_json::json;

/// Opens check `id` of a report through the search box.
async fn open_check(app: &TestApp, b: &Browser, report: &str, id: &str) {
    b.open(&format!(
        "{}/#/reports/{report}?q={id}&open={id}",
        app.address
    ))
    .await;
    b.wait(Locator::XPath(&format!(
        "//table[@aria-label='Nodes of {id}']"
    )))
    .await;
}

async fn skipped(app: &TestApp) -> Vec<serde_json::Value> {
    app.ok(
        "{ skippedTests(clusterId: \"demo\") { testId reason } }",
        json!({}),
    )
    .await["skippedTests"]
        .as_array()
        .unwrap()
        .clone()
}

/// The state of check `id` in the report the browser shows now.
async fn row_state(b: &Browser, id: &str) -> String {
    let xpath = format!("//button[contains(@class,'check-row')][.//span[@class='cid' and text()='{id}']]//span[contains(@class,'badge')]");
    b.wait(Locator::XPath(&xpath)).await.text().await.unwrap()
}

#[actix_web::test]
async fn skipping_with_a_reason_shows_skip_on_the_next_scan_and_unskip_restores_it() {
    let (app, b, report) = signed_in_with_report().await;
    open_check(&app, &b, &report, "1.2.16").await;
    assert_eq!(row_state(&b, "1.2.16").await, "FAIL");
    b.input("Reason")
        .await
        .send_keys("audit logs go to the SIEM")
        .await
        .unwrap();
    b.click("Skip").await;
    b.named("button", "Unskip").await;
    let s = skipped(&app).await;
    assert_eq!(
        s,
        vec![json!({ "testId": "1.2.16", "reason": "audit logs go to the SIEM" })]
    );

    // the next scan, run from the cluster page, opens its report with the check skipped
    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    b.click("Run scan").await;
    b.until_text_route(|r| r.starts_with("#/reports/") && !r.contains(&report))
        .await;
    let next = b.route().await.trim_start_matches("#/reports/").to_string();
    open_check(&app, &b, &next, "1.2.16").await;
    assert_eq!(row_state(&b, "1.2.16").await, "SKIP");
    b.until_text("the skip's reason", |t| {
        t.contains("audit logs go to the SIEM")
    })
    .await;

    b.click("Unskip").await;
    b.input("Reason").await;
    assert!(skipped(&app).await.is_empty());
    b.close().await;
}

#[actix_web::test]
async fn download_csv_saves_the_same_csv_the_api_serves() {
    let (app, b, report) = signed_in_with_report().await;
    b.open(&format!("{}/#/reports/{report}", app.address)).await;
    b.click("Download CSV").await;
    let files = b.downloaded(".csv").await;
    assert_eq!(files.len(), 1, "{files:?}");
    let served = app
        .client
        .get(format!("{}/reports/{report}/csv", app.address))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(std::fs::read(&files[0]).unwrap(), served.to_vec());
    b.close().await;
}

#[actix_web::test]
async fn deleting_a_report_asks_first_and_then_removes_it() {
    let (app, b, report) = signed_in_with_report().await;
    b.open(&format!("{}/#/reports/{report}", app.address)).await;
    b.click("Delete report").await;
    b.wait(Locator::Css("[role=alertdialog]")).await;
    b.screenshot("delete-confirmation").await;
    b.click("Cancel").await;
    let q = "query($id: ID!) { report(id: $id) { id } }";
    assert_eq!(
        app.ok(q, json!({ "id": report })).await["report"]["id"],
        report.as_str()
    );

    b.click("Delete report").await;
    b.click("Confirm delete").await;
    b.until_text_route(|r| r == "#/clusters/demo").await;
    assert_eq!(
        code(&app.gql(q, json!({ "id": report })).await),
        "NOT_FOUND"
    );
    b.close().await;
}

#[actix_web::test]
async fn an_owner_token_sees_only_its_cluster() {
    let app = spawn_app().await;
    app.scan_to_end("demo").await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let b = Browser::start().await;
    b.sign_in(&app.address, &owner).await;
    let text = b
        .until_text("the owner's cluster", |t| t.contains("Other"))
        .await;
    assert!(!text.contains("Demo kubeadm cluster"), "{text}");
    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    b.until_text("not found", |t| t.contains("Not found")).await;
    b.close().await;
}

#[actix_web::test]
async fn an_unknown_report_is_shown_as_not_found_with_a_way_back() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    b.open(&format!(
        "{}/#/reports/{}",
        app.address,
        uuid::Uuid::new_v4()
    ))
    .await;
    b.wait(Locator::Css("[role=alert]")).await;
    b.named("a", "Back to the overview")
        .await
        .click()
        .await
        .unwrap();
    b.named("h1", "Overview").await;
    b.close().await;
}

#[actix_web::test]
async fn an_exception_for_one_node_until_a_date_is_listed_with_its_scope_and_audited() {
    let (app, b, report) = signed_in_with_report().await;
    open_check(&app, &b, &report, "4.1.1").await;
    b.input("Reason")
        .await
        .send_keys("legacy worker")
        .await
        .unwrap();
    // the date input takes the keys of the browser's locale order: set it through its value
    let expires = b.input("Expires").await;
    b.client
        .execute(
            "arguments[0].value = '2099-12-31'; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            vec![serde_json::to_value(&expires).unwrap()],
        )
        .await
        .unwrap();
    b.input("Only on nodes")
        .await
        .send_keys("worker-1")
        .await
        .unwrap();
    b.click("Skip").await;
    b.named("button", "Unskip").await;
    let s = app
        .ok(
            "{ skippedTests(clusterId: \"demo\") { testId nodes expiresAt expired } }",
            json!({}),
        )
        .await;
    let s = &s["skippedTests"][0];
    assert_eq!(s["nodes"], json!(["worker-1"]));
    assert!(
        s["expiresAt"].as_str().unwrap().starts_with("2099-12-31")
            || s["expiresAt"].as_str().unwrap().starts_with("2100-01-01")
    );
    assert_eq!(s["expired"], false);

    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    b.until_text("the exception's scope", |t| t.contains("on worker-1"))
        .await;
    b.screenshot("cluster-skips").await;
    b.wait(Locator::Css("details.audit summary"))
        .await
        .click()
        .await
        .unwrap();
    let text = b
        .until_text("the audit entry", |t| {
            t.contains("legacy worker") && t.contains("SKIP")
        })
        .await;
    assert!(text.contains("worker-1"), "{text}");
    b.close().await;
}

#[actix_web::test]
async fn a_skip_naming_a_node_the_report_lacks_warns_about_it() {
    let (app, b, report) = signed_in_with_report().await;
    open_check(&app, &b, &report, "4.1.1").await;
    b.input("Reason").await.send_keys("typo").await.unwrap();
    b.input("Only on nodes")
        .await
        .send_keys("worker-1, worker1")
        .await
        .unwrap();
    b.click("Skip").await;
    let warning = b
        .wait(Locator::Css(".skip .warning[role='status']"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        warning.contains("Not in the latest report: worker1") && !warning.contains("worker-1"),
        "{warning}"
    );
    b.screenshot("skip-unknown-node").await;
    b.close().await;
}
