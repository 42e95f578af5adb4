//! What an alert says changed since the cluster's previous report: the new
//! failures and the fixed checks (from `report_comparison::compare`, the same
//! comparison `compareReports` serves), bounded, plus one line for people.

use crate::service::report_comparison::Comparison;
use serde_json::{json, Value};
use uuid::Uuid;

/// Most checks an alert names in each list; the counts say how many there were.
pub const MAX_LISTED: usize = 50;
/// New failures the human `text` line names before it says "and N more".
const IN_TEXT: usize = 5;

/// A check that started failing: its id and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFailure {
    pub id: String,
    pub description: String,
}

/// The changes an alert reports, already bounded to `MAX_LISTED` per list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertChanges {
    /// The report compared against; None for a cluster's first report or a scan without one.
    pub previous_report_id: Option<Uuid>,
    pub new_failures: Vec<NewFailure>,
    /// How many new failures there were, listed or not.
    pub new_failure_count: usize,
    /// Ids of checks FAIL or ERROR before and PASS now.
    pub fixed: Vec<String>,
    /// How many checks were fixed, listed or not.
    pub fixed_count: usize,
}

impl AlertChanges {
    /// Nothing to compare: the cluster's first report, or a scan that wrote none.
    pub fn none() -> Self {
        Self::default()
    }

    /// The changes from report `previous` to the new one, as `compare` sorted them.
    pub fn between(previous: Uuid, c: &Comparison) -> Self {
        AlertChanges {
            previous_report_id: Some(previous),
            new_failures: c
                .new_failures
                .iter()
                .take(MAX_LISTED)
                .map(|f| NewFailure {
                    id: f.id.clone(),
                    description: f.title.clone(),
                })
                .collect(),
            new_failure_count: c.new_failures.len(),
            fixed: c
                .fixed
                .iter()
                .take(MAX_LISTED)
                .map(|f| f.id.clone())
                .collect(),
            fixed_count: c.fixed.len(),
        }
    }

    /// One sentence naming the first few new failures, for chat receivers.
    pub fn line(&self) -> String {
        if self.previous_report_id.is_none() {
            return "no previous report to compare with".into();
        }
        let fixed = match self.fixed_count {
            0 => String::new(),
            n => format!("; {n} fixed"),
        };
        if self.new_failure_count == 0 {
            return format!("no new failures since the previous report{fixed}");
        }
        let named: Vec<&str> = self
            .new_failures
            .iter()
            .take(IN_TEXT)
            .map(|f| f.id.as_str())
            .collect();
        let more = match self.new_failure_count.saturating_sub(named.len()) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let noun = if self.new_failure_count == 1 {
            "new failure"
        } else {
            "new failures"
        };
        format!(
            "{} {noun} since the previous report: {}{more}{fixed}",
            self.new_failure_count,
            named.join(", ")
        )
    }

    /// Adds `previousReportId`, `newFailures`, `newFailuresCount`, `newFailuresTruncated`,
    /// `fixed`, `fixedCount`, `fixedTruncated` and a human `text` to an alert document.
    pub fn add_to(&self, payload: &mut Value) {
        // a scan that wrote no report has nothing to compare: its message says why
        let line = match (&payload["reportId"], payload["message"].as_str()) {
            (Value::Null, Some(m)) => m.to_string(),
            _ => self.line(),
        };
        let text = format!(
            "cis-scan {}: cluster {}, scan {}: {line}",
            payload["event"].as_str().unwrap_or("alert"),
            payload["cluster"].as_str().unwrap_or("?"),
            payload["state"].as_str().unwrap_or("?"),
        );
        let Some(doc) = payload.as_object_mut() else {
            return;
        };
        let failures: Vec<Value> = self
            .new_failures
            .iter()
            .map(|f| json!({ "id": f.id, "description": f.description }))
            .collect();
        let fields = [
            (
                "previousReportId",
                json!(self.previous_report_id.map(|id| id.to_string())),
            ),
            ("newFailures", json!(failures)),
            ("newFailuresCount", json!(self.new_failure_count)),
            (
                "newFailuresTruncated",
                json!(self.new_failure_count > self.new_failures.len()),
            ),
            ("fixed", json!(self.fixed)),
            ("fixedCount", json!(self.fixed_count)),
            ("fixedTruncated", json!(self.fixed_count > self.fixed.len())),
            ("text", json!(text)),
        ];
        for (k, v) in fields {
            doc.insert(k.to_string(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::report_comparison::CheckChange;

    fn change(id: &str) -> CheckChange {
        CheckChange {
            id: id.into(),
            title: format!("check {id}"),
            before: None,
            after: None,
            nodes: Vec::new(),
        }
    }

    fn comparison(new: usize, fixed: usize) -> Comparison {
        Comparison {
            new_failures: (0..new).map(|i| change(&format!("1.{i}"))).collect(),
            fixed: (0..fixed).map(|i| change(&format!("2.{i}"))).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn lists_are_bounded_and_counts_say_how_many_there_were() {
        let c = AlertChanges::between(Uuid::nil(), &comparison(120, 60));
        assert_eq!(c.new_failures.len(), MAX_LISTED);
        assert_eq!(c.new_failure_count, 120);
        assert_eq!(c.fixed.len(), MAX_LISTED);
        assert_eq!(c.fixed_count, 60);
        let mut doc = json!({ "event": "scan.failed", "cluster": "demo", "state": "SUCCEEDED" });
        c.add_to(&mut doc);
        assert_eq!(doc["newFailuresTruncated"], true);
        assert_eq!(doc["fixedTruncated"], true);
        assert_eq!(doc["newFailures"][0]["description"], "check 1.0");
    }

    #[test]
    fn the_text_line_names_the_first_new_failures() {
        let c = AlertChanges::between(Uuid::nil(), &comparison(7, 1));
        assert_eq!(
            c.line(),
            "7 new failures since the previous report: 1.0, 1.1, 1.2, 1.3, 1.4 and 2 more; 1 fixed"
        );
        let one = AlertChanges::between(Uuid::nil(), &comparison(1, 0));
        assert_eq!(one.line(), "1 new failure since the previous report: 1.0");
    }

    #[test]
    fn a_first_report_has_no_previous_and_empty_lists() {
        let mut doc = json!({ "event": "scan.failed", "cluster": "demo", "state": "SUCCEEDED", "reportId": "r1" });
        AlertChanges::none().add_to(&mut doc);
        assert!(doc["previousReportId"].is_null());
        assert_eq!(doc["newFailures"], json!([]));
        assert_eq!(doc["fixed"], json!([]));
        assert_eq!(doc["newFailuresTruncated"], false);
        assert!(doc["text"].as_str().unwrap().contains("no previous report"));
    }

    #[test]
    fn a_scan_without_a_report_says_why_in_its_text() {
        let mut doc = json!({ "event": "scan.failed", "cluster": "demo", "state": "FAILED",
            "reportId": null, "message": "the API server did not answer" });
        AlertChanges::none().add_to(&mut doc);
        assert_eq!(
            doc["text"],
            "cis-scan scan.failed: cluster demo, scan FAILED: the API server did not answer"
        );
    }
}
