//! The fleet page in a real browser: checks down, clusters across, and an owner
//! who sees only their own cluster's column.

use crate::support::app::spawn_app;
use crate::support::browser::Browser;
use crate::support::ui::signed_in;
use fantoccini::Locator;

#[actix_web::test]
async fn the_fleet_page_shows_each_clusters_state_of_each_check() {
    let app = spawn_app().await;
    app.scan_to_end("demo").await;
    app.scan_to_end("other").await;
    let b = signed_in(&app).await;
    b.named("a", "Fleet").await.click().await.unwrap();
    let table = b.wait(Locator::Css("table.matrix")).await;
    let heads = table.find_all(Locator::Css("thead th")).await.unwrap();
    assert_eq!(heads.len(), 4, "check, failing clusters, demo, other");
    let row = b
        .wait(Locator::XPath(
            "//table[contains(@class,'matrix')]//tr[th[starts-with(normalize-space(.),'1.2.16')]]",
        ))
        .await;
    let text = row.text().await.unwrap();
    assert!(text.contains("FAIL FAIL") && text.contains(" 2 "), "{text}");
    b.screenshot("fleet").await;
    b.wait(Locator::XPath(
        "//label[contains(.,'Only checks failing somewhere')]/input",
    ))
    .await
    .click()
    .await
    .unwrap();
    b.until_text_route(|r| r.contains("failing=1")).await;
    let rows = b
        .client
        .find_all(Locator::Css("table.matrix tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 15, "the demo's 15 failing checks");
    b.close().await;
}

#[actix_web::test]
async fn an_owner_sees_only_their_cluster_in_the_fleet() {
    let app = spawn_app().await;
    app.scan_to_end("demo").await;
    app.scan_to_end("other").await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let b = Browser::start().await;
    b.sign_in(&app.address, &owner).await;
    b.open(&format!("{}/#/fleet", app.address)).await;
    let table = b.wait(Locator::Css("table.matrix")).await;
    let heads = table.find_all(Locator::Css("thead th")).await.unwrap();
    assert_eq!(heads.len(), 3, "check, failing clusters, other");
    assert!(!b.text().await.contains("Demo kubeadm cluster"));
    b.close().await;
}

#[actix_web::test]
async fn the_overview_finds_a_cluster_by_name_and_lists_it_worst_first() {
    let app = spawn_app().await;
    app.scan_to_end("other").await;
    let b = signed_in(&app).await;
    // worst first, as the server orders it: the scanned cluster before the one with no report
    let text = b
        .until_text("both clusters", |t| {
            t.contains("Demo kubeadm cluster") && t.contains("Other")
        })
        .await;
    assert!(
        text.find("Other").unwrap() < text.find("Demo kubeadm cluster").unwrap(),
        "{text}"
    );
    let search = b.input("Find a cluster").await;
    search.send_keys("demo kube\u{E007}").await.unwrap();
    // the page keeps the previous rows until the search's answer comes
    b.until_text("the search's answer", |t| {
        t.contains("Show all") && !t.contains("Other")
    })
    .await;
    let rows = b
        .wait(Locator::Css("table[aria-label='Clusters']"))
        .await
        .find_all(Locator::Css("tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "only the cluster whose name matches");
    assert!(rows[0]
        .text()
        .await
        .unwrap()
        .contains("Demo kubeadm cluster"));
    assert!(
        b.route().await.contains("q=demo"),
        "the search is in the URL"
    );
    b.close().await;
}
