//! Alerts to webhooks when a scheduled scan fails or completes. Delivery runs
//! in the background with retries and backoff; a receiver that is down is
//! logged and never blocks or fails the scan.

use serde_json::{json, Value};
use std::time::Duration;

/// Where alerts go and how hard to try. Webhook URLs often carry a secret in their
/// path or query (Slack, Teams): only their scheme and host are ever shown.
#[derive(Clone)]
pub struct Alerts {
    pub webhooks: Vec<String>,
    pub retries: u32,
    pub backoff: Duration,
    client: Option<reqwest::Client>,
}

impl std::fmt::Debug for Alerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hooks: Vec<String> = self.webhooks.iter().map(|u| webhook_label(u)).collect();
        f.debug_struct("Alerts")
            .field("webhooks", &hooks)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// How a webhook is named in logs: its scheme and host (and port), nothing of its
/// path, query or user info.
pub fn webhook_label(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}", u.scheme()),
            (Some(h), None) => format!("{}://{h}", u.scheme()),
            _ => format!("{}://", u.scheme()),
        },
        Err(_) => "<unparsable webhook URL>".into(),
    }
}

impl Alerts {
    /// Alerts to these webhooks; `retries` more attempts after the first, doubling `backoff` each time.
    pub fn new(webhooks: Vec<String>, retries: u32, backoff: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // a receiver's redirect would re-POST the alert wherever it points
            // (a 307 keeps the body): an answer other than 2xx is a failed delivery
            .redirect(reqwest::redirect::Policy::none())
            .build()
            // fails only without TLS roots; never fall back to a default client,
            // which follows redirects: deliveries then fail, logged
            .map_err(|e| tracing::error!("alert client: {e}"))
            .ok();
        Alerts {
            webhooks,
            retries,
            backoff,
            client,
        }
    }

    /// Sends one alert to every webhook without waiting for delivery.
    pub fn send(&self, payload: Value) {
        for url in self.webhooks.clone() {
            let (client, payload, retries, backoff) = (
                self.client.clone(),
                payload.clone(),
                self.retries,
                self.backoff,
            );
            tokio::spawn(async move {
                deliver(&client, &url, &payload, retries, backoff).await;
            });
        }
    }

    /// Delivers one alert to one webhook, waiting for the outcome: true when
    /// the receiver accepted it (2xx) within the attempts.
    pub async fn deliver_to(&self, url: &str, payload: &Value) -> bool {
        deliver(&self.client, url, payload, self.retries, self.backoff).await
    }
}

/// Posts `payload` until the receiver answers 2xx, at most `retries` + 1 times
/// with doubling waits; a redirect is not followed and counts as a refusal.
async fn deliver(
    client: &Option<reqwest::Client>,
    url: &str,
    payload: &Value,
    retries: u32,
    backoff: Duration,
) -> bool {
    let hook = webhook_label(url);
    let Some(client) = client else {
        tracing::error!(webhook = %hook, "alert dropped: no HTTP client");
        return false;
    };
    let mut wait = backoff;
    for attempt in 0..=retries {
        match client.post(url).json(payload).send().await {
            Ok(r) if r.status().is_success() => return true,
            Ok(r) if r.status().is_redirection() => {
                tracing::warn!(webhook = %hook, attempt, status = %r.status(), "alert receiver answered with a redirect, which is not followed")
            }
            Ok(r) => {
                tracing::warn!(webhook = %hook, attempt, status = %r.status(), "alert not accepted")
            }
            Err(e) => {
                tracing::warn!(webhook = %hook, attempt, "alert delivery failed: {}", e.without_url())
            }
        }
        if attempt < retries {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::error!(webhook = %hook, "alert dropped after {} attempts", retries + 1);
    false
}

/// The alert document.
#[allow(clippy::too_many_arguments)]
pub fn payload(
    event: &str,
    cluster: &str,
    scan_id: &str,
    state: &str,
    report: Option<(&str, &str)>,
    summary: Option<Value>,
    failed_checks: &[String],
    message: Option<&str>,
) -> Value {
    json!({
        "event": event,
        "cluster": cluster,
        "scanId": scan_id,
        "state": state,
        "reportId": report.map(|r| r.0),
        "reportUrl": report.map(|r| r.1),
        "summary": summary,
        "failedChecks": failed_checks,
        "message": message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_is_shown_by_scheme_and_host_only() {
        let url =
            "https://user:pw@hooks.slack.example:8443/services/T000/B000/XXXXSECRET?token=abc";
        assert_eq!(webhook_label(url), "https://hooks.slack.example:8443");
        assert_eq!(webhook_label("http://10.0.0.1/x"), "http://10.0.0.1");
    }

    #[test]
    fn alerts_debug_output_holds_no_webhook_secret() {
        let a = Alerts::new(
            vec!["https://hooks.example/services/SECRET".into()],
            1,
            Duration::from_millis(1),
        );
        let shown = format!("{a:?}");
        assert!(
            shown.contains("hooks.example") && !shown.contains("SECRET"),
            "{shown}"
        );
    }
}
