//! The report page's views in a real browser: what changed since the previous
//! report, and the search and section filters, all kept in the URL.

use crate::support::app::spawn_app;
use crate::support::browser::Browser;
use crate::support::ui::{signed_in, signed_in_with_report};
use crate::support::wait::wait_for;
use fantoccini::Locator;
use serde_json::json;

/// Ids of the check rows on the page.
async fn row_ids(b: &Browser) -> Vec<String> {
    let mut ids = Vec::new();
    for cid in b
        .client
        .find_all(Locator::Css("button.check-row .cid"))
        .await
        .unwrap()
    {
        ids.push(cid.text().await.unwrap());
    }
    ids
}

#[actix_web::test]
async fn the_report_names_the_new_failures_since_the_previous_report() {
    let app = spawn_app().await;
    let skip = "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.16\", reason: \"later\") { testId } }";
    app.ok(skip, json!({})).await;
    app.scan_to_end("demo").await;
    app.ok(
        "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.16\") }",
        json!({}),
    )
    .await;
    let head = app.scan_to_end("demo").await["report"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = signed_in(&app).await;
    b.open(&format!("{}/#/reports/{head}", app.address)).await;
    let text = b
        .until_text("the changes", |t| t.contains("1 new failure,"))
        .await;
    assert!(text.contains("New failures"), "{text}");
    // one sentence, its parts separated by spaces
    assert!(text.contains("still failing, 0 other changes."), "{text}");
    let link = b
        .wait(Locator::XPath(
            "//section[@aria-labelledby='chg-h']//li/a[text()='1.2.16']",
        ))
        .await;
    link.click().await.unwrap();
    b.wait(Locator::XPath("//table[@aria-label='Nodes of 1.2.16']"))
        .await;
    b.close().await;
}

#[actix_web::test]
async fn search_and_section_filters_narrow_the_checks_and_survive_a_refresh() {
    let (app, b, report) = signed_in_with_report().await;
    b.open(&format!("{}/#/reports/{report}", app.address)).await;
    b.wait(Locator::Css("button.check-row")).await;

    b.input("Search")
        .await
        .send_keys("audit-log-path")
        .await
        .unwrap();
    b.until_text("the search", |t| t.contains("1 check matches"))
        .await;
    assert_eq!(row_ids(&b).await, ["1.2.16"]);
    b.client.refresh().await.unwrap();
    b.until_text("the search after a refresh", |t| {
        t.contains("1 check matches")
    })
    .await;
    assert!(b.route().await.contains("q=audit-log-path"));

    b.open(&format!("{}/#/reports/{report}", app.address)).await;
    let section = b
        .wait(Locator::XPath(
            "//select[@id=//label[normalize-space(.)='Section']/@for]",
        ))
        .await;
    section.select_by_value("4.1").await.unwrap();
    b.until_text_route(|r| r.contains("section=4.1")).await;
    b.until_text("the section", |t| {
        t.contains("checks match") && !t.contains("133 checks")
    })
    .await;
    let ids = row_ids(&b).await;
    assert!(
        !ids.is_empty() && ids.iter().all(|i| i.starts_with("4.1.")),
        "{ids:?}"
    );
    b.close().await;
}

#[actix_web::test]
async fn the_section_filter_offers_the_benchmarks_sections_with_their_titles() {
    let (app, b, report) = signed_in_with_report().await;
    b.open(&format!("{}/#/reports/{report}", app.address)).await;
    b.wait(Locator::Css("button.check-row")).await;
    let select = "//select[@id=//label[normalize-space(.)='Section']/@for]";
    let etcd = b
        .wait(Locator::XPath(&format!("{select}/option[@value='2']")))
        .await;
    let label = etcd.text().await.unwrap();
    assert!(label.starts_with("2 Etcd Node Configuration ("), "{label}");
    let per_check = Locator::XPath("//select/option[@value='2.1']");
    assert!(b.client.find_all(per_check).await.unwrap().is_empty());

    b.wait(Locator::XPath(select))
        .await
        .select_by_value("2")
        .await
        .unwrap();
    b.until_text_route(|r| r.contains("section=2")).await;
    b.until_text("the etcd section", |t| {
        t.contains("checks match") && !t.contains("133 checks")
    })
    .await;
    let ids = row_ids(&b).await;
    assert!(
        ids.len() > 1 && ids.iter().all(|i| i.starts_with("2.")),
        "{ids:?}"
    );
    b.close().await;
}

/// Waits until the reports table has `n` rows (a page loads after its pager moves).
async fn report_rows_become(b: &Browser, n: usize) {
    let rows = Locator::XPath("//table[@aria-label='Reports']/tbody/tr");
    let what = format!("the reports table to have {n} rows");
    wait_for(&what, crate::support::browser::WAIT, || async {
        (b.client.find_all(rows).await.unwrap().len() == n).then_some(())
    })
    .await;
}

#[actix_web::test]
async fn a_clusters_reports_page_ten_at_a_time_older_and_newer() {
    let app = spawn_app().await;
    for _ in 0..12 {
        app.scan_to_end("demo").await;
    }
    let b = signed_in(&app).await;
    b.open(&format!("{}/#/clusters/demo", app.address)).await;
    report_rows_become(&b, 10).await;
    b.click("Older").await;
    report_rows_become(&b, 2).await;
    b.until_text("the page number", |t| t.contains("page 2"))
        .await;
    b.click("Newer").await;
    report_rows_become(&b, 10).await;
    b.close().await;
}
