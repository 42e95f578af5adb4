//! The names and roles assistive technology (and these tests) rely on, as the
//! browser itself computes them from the page.

use crate::support::app::spawn_app;
use crate::support::browser::Browser;
use crate::support::ui::signed_in;
use fantoccini::Locator;

/// Asserts the element `css` finds has this computed name and role.
async fn named(b: &Browser, css: &str, name: &str, role: &str) {
    let e = b.wait(Locator::Css(css)).await;
    assert_eq!(b.accessible_name(&e).await, name, "name of {css}");
    assert_eq!(b.role(&e).await, role, "role of {css}");
}

#[actix_web::test]
async fn every_control_the_issue_names_has_its_accessible_name_and_role() {
    let app = spawn_app().await;
    let b = Browser::start().await;
    b.open(&format!("{}/", app.address)).await;
    named(&b, "#token", "API token", "textbox").await;
    named(&b, "main.signin button[type=submit]", "Sign in", "button").await;
    b.close().await;

    let b = signed_in(&app).await;
    named(&b, "button.signout", "Sign out", "button").await;
    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    named(
        &b,
        "section[aria-labelledby=run-h] button",
        "Run scan",
        "button",
    )
    .await;
    b.click("New schedule").await;
    named(
        &b,
        ".schedule-form button[type=submit]",
        "Create schedule",
        "button",
    )
    .await;
    b.click("Run scan").await;
    named(
        &b,
        ".progress [role=progressbar]",
        "Scan progress",
        "progressbar",
    )
    .await;
    b.until_text_route(|r| r.starts_with("#/reports/")).await;

    named(&b, ".downloads button", "Download CSV", "button").await;
    named(&b, "button.danger", "Delete report", "button").await;
    let filters = b
        .client
        .find_all(Locator::Css("button.state-filter"))
        .await
        .unwrap();
    let mut names = Vec::new();
    for f in &filters {
        names.push(b.accessible_name(f).await);
    }
    assert_eq!(
        names,
        ["FAIL", "ERROR", "WARN", "SKIP", "PASS", "NOT_APPLICABLE"]
    );

    b.wait(Locator::Css("button.check-row"))
        .await
        .click()
        .await
        .unwrap();
    named(&b, "form.skip button[type=submit]", "Skip", "button").await;
    b.click("Skip").await;
    named(&b, "div.skip button", "Unskip", "button").await;
    b.close().await;
}
