//! Starting points of the browser tests: a service with a report and a signed-in
//! browser, and filling a labelled input.

use crate::support::app::{spawn_app, TestApp};
use crate::support::browser::Browser;

/// A browser signed in to `app` as its administrator.
pub async fn signed_in(app: &TestApp) -> Browser {
    let b = Browser::start().await;
    b.sign_in(&app.address, &app.admin).await;
    b
}

/// The service with one finished demo scan, a browser signed in as administrator, and the report id.
pub async fn signed_in_with_report() -> (TestApp, Browser, String) {
    let app = spawn_app().await;
    let scan = app.scan_to_end("demo").await;
    let report = scan["report"]["id"].as_str().unwrap().to_string();
    let b = signed_in(&app).await;
    (app, b, report)
}

impl Browser {
    /// The accessible name the browser computes for an element (what a screen reader announces).
    pub async fn accessible_name(&self, e: &fantoccini::elements::Element) -> String {
        let v = self
            .client
            .issue_cmd(ElementGet(e.element_id().to_string(), "computedlabel"))
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_string()
    }

    /// The ARIA role the browser computes for an element.
    pub async fn role(&self, e: &fantoccini::elements::Element) -> String {
        let v = self
            .client
            .issue_cmd(ElementGet(e.element_id().to_string(), "computedrole"))
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_string()
    }

    /// Replaces the text of the input `label` names with `value`.
    pub async fn fill(&self, label: &str, value: &str) {
        let input = self.input(label).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
}

/// WebDriver's `GET /session/{s}/element/{e}/{what}` (computedlabel, computedrole).
#[derive(Debug)]
struct ElementGet(String, &'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for ElementGet {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/element/{}/{}",
            session.unwrap_or_default(),
            self.0,
            self.1
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}
