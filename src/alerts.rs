//! Alerts to webhooks when a scheduled scan fails or completes. Delivery runs
//! in the background with retries and backoff; a receiver that is down is
//! logged and never blocks or fails the scan.

use serde_json::{json, Value};
use std::time::Duration;

/// Where alerts go and how hard to try.
#[derive(Debug, Clone)]
pub struct Alerts {
    pub webhooks: Vec<String>,
    pub retries: u32,
    pub backoff: Duration,
    client: reqwest::Client,
}

impl Alerts {
    /// Alerts to these webhooks; `retries` more attempts after the first, doubling `backoff` each time.
    pub fn new(webhooks: Vec<String>, retries: u32, backoff: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
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
                let mut wait = backoff;
                for attempt in 0..=retries {
                    match client.post(&url).json(&payload).send().await {
                        Ok(r) if r.status().is_success() => return,
                        Ok(r) => {
                            tracing::warn!(webhook = %url, attempt, status = %r.status(), "alert not accepted")
                        }
                        Err(e) => {
                            tracing::warn!(webhook = %url, attempt, "alert delivery failed: {e}")
                        }
                    }
                    if attempt < retries {
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                }
                tracing::error!(webhook = %url, "alert dropped after {} attempts", retries + 1);
            });
        }
    }
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
