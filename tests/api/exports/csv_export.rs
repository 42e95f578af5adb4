//! The CSV download: a plain header row first (what Python's csv.DictReader takes as
//! the field names), one row per check and node, metadata in the name and headers.

use crate::support::app::{spawn_app, TestApp};
use std::collections::HashMap;

async fn download(app: &TestApp) -> (String, reqwest::Response) {
    let scan = app.scan_to_end("demo").await;
    let id = scan["report"]["id"].as_str().unwrap().to_string();
    let resp = app
        .client
        .get(format!("{}/reports/{id}/csv", app.address))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    (id, resp)
}

/// Rows as maps from header names to cells, as DictReader gives them.
fn dict_rows(body: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .deserialize::<HashMap<String, String>>()
        .map(|row| row.unwrap())
        .collect();
    (head, rows)
}

#[actix_web::test]
async fn the_first_line_is_the_header_and_each_node_result_is_a_row() {
    let app = spawn_app().await;
    let (_, resp) = download(&app).await;
    let (head, rows) = dict_rows(&resp.text().await.unwrap());
    assert_eq!(
        head,
        [
            "id",
            "description",
            "state",
            "scored",
            "node",
            "node_state",
            "actual",
            "expected",
            "source",
            "reason",
            "remediation"
        ]
    );
    let profiling: Vec<(&str, &str, &str)> = rows
        .iter()
        .filter(|r| r["id"] == "1.2.15")
        .map(|r| {
            (
                r["state"].as_str(),
                r["node"].as_str(),
                r["node_state"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        profiling,
        [
            ("FAIL", "cp-1", "FAIL"),
            ("FAIL", "worker-1", "NOT_APPLICABLE")
        ]
    );
    let fail_row = rows
        .iter()
        .find(|r| r["id"] == "1.2.15" && r["node"] == "cp-1")
        .unwrap();
    assert!(
        fail_row["actual"].contains("--profiling=true"),
        "{fail_row:?}"
    );
}

#[actix_web::test]
async fn a_cluster_wide_policy_check_is_one_row_whose_node_is_the_one_graphql_shows() {
    let app = spawn_app().await;
    let (id, resp) = download(&app).await;
    let (_, rows) = dict_rows(&resp.text().await.unwrap());
    let policy: Vec<_> = rows.iter().filter(|r| r["id"] == "5.1.1").collect();
    assert_eq!(policy.len(), 1);
    let data = app
        .ok(
            "query($id: ID!) { report(id: $id) { results(section: \"5.1.1\") { id nodes { node } } } }",
            serde_json::json!({ "id": id }),
        )
        .await;
    let check = data["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.1.1")
        .expect("5.1.1 in the report");
    assert_eq!(check["nodes"][0]["node"], "cluster", "{data}");
    assert_eq!(policy[0]["node"], "cluster");
    assert_eq!(policy[0]["node_state"], "WARN");
    assert_eq!(policy[0]["source"], "Kubernetes API");
}

#[actix_web::test]
async fn the_report_is_named_in_the_file_name_and_headers_not_the_body() {
    let app = spawn_app().await;
    let (id, resp) = download(&app).await;
    let h = resp.headers().clone();
    let header = |n: &str| h[n].to_str().unwrap().to_string();
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"cis-scan_demo_cis-1.11_")
            && disposition.ends_with("Z.csv\""),
        "{disposition}"
    );
    assert_eq!(header("x-cis-scan-report-id"), id);
    assert_eq!(header("x-cis-scan-cluster"), "demo");
    assert_eq!(header("x-cis-scan-benchmark"), "cis-1.11");
    assert_eq!(header("x-cis-scan-state"), "FAIL");
    assert!(chrono::DateTime::parse_from_rfc3339(&header("x-cis-scan-finished-at")).is_ok());
    let body = resp.text().await.unwrap();
    assert!(body.starts_with("id,description,state,"), "{}", &body[..40]);
}
