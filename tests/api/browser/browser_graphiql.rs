//! GraphiQL at /graphiql, from the binary's own files, with every other host
//! unreachable: queries and subscriptions with the token the UI signed in with.

use crate::support::browser::Browser;
use crate::support::ui::signed_in_with_report;
use crate::support::wait::{wait_for, EVENT};
use fantoccini::Locator;

/// Replaces the query in GraphiQL's editor (CodeMirror 5) and runs it.
async fn run(b: &Browser, query: &str) {
    let editor = "return document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0])";
    b.client.execute(editor, vec![query.into()]).await.unwrap();
    execute(b).await;
}

async fn execute(b: &Browser) {
    b.wait(Locator::Css(".graphiql-execute-button"))
        .await
        .click()
        .await
        .unwrap();
}

/// GraphiQL parses the editor's text a moment after it changes; run before that,
/// it picks the transport from the old text and POSTs the subscription.
const NOT_YET_PARSED: &str = "Subscriptions are not supported on this transport";

#[actix_web::test]
async fn graphiql_renders_and_answers_with_the_network_cut_off() {
    let (app, b, _) = signed_in_with_report().await;
    b.open(&format!("{}/graphiql", app.address)).await;
    b.wait(Locator::Css(".graphiql-container")).await;
    b.wait(Locator::Css(".graphiql-execute-button"))
        .await
        .click()
        .await
        .unwrap();
    b.until_text("the answer", |t| {
        t.contains("\"latestReport\"") && t.contains("cis-1.11")
    })
    .await;
    b.screenshot("graphiql").await;
    // everything the page loaded came from the service itself
    let urls = b
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    let urls: Vec<String> = serde_json::from_value(urls).unwrap();
    assert!(urls.len() >= 4, "{urls:?}");
    for u in &urls {
        assert!(
            u.starts_with(&app.address) || u.starts_with("ws://127.0.0.1"),
            "{u}"
        );
    }
    b.close().await;
}

#[actix_web::test]
async fn a_graphiql_subscription_streams_a_scans_progress_over_the_websocket() {
    let (app, b, _) = signed_in_with_report().await;
    b.open(&format!("{}/graphiql", app.address)).await;
    b.wait(Locator::Css(".graphiql-container")).await;
    run(
        &b,
        "subscription { scanEvents(clusterId: \"demo\") { phase state } }",
    )
    .await;
    // scans until GraphiQL shows one's final event (the subscription may start after the first)
    let text = wait_for("GraphiQL to show a scan's final event", EVENT, || async {
        app.scan_to_end("demo").await;
        let text = b.text().await;
        if text.contains(NOT_YET_PARSED) {
            execute(&b).await;
            return None;
        }
        text.contains("\"SUCCEEDED\"").then_some(text)
    })
    .await;
    assert!(text.contains("\"DONE\""), "{text}");
    b.close().await;
}
