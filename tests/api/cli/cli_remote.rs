//! `cis-scan reports` and `cis-scan report ID` as a terminal user runs them
//! against a running service, with CIS_SCAN_SERVER and CIS_SCAN_TOKEN.

use crate::support::app::{spawn_app, TestApp};
use cis_scan::service::auth::create_token;
use serde_json::{json, Value};
use std::process::Output;
use std::time::Duration;

/// Runs the binary without blocking the runtime the service answers on.
pub(crate) async fn cis(server: &str, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"));
    cmd.args(args)
        .env("CIS_SCAN_SERVER", server)
        .env_remove("CIS_SCAN_TOKEN")
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    if let Some(t) = token {
        cmd.env("CIS_SCAN_TOKEN", t);
    }
    tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .expect("cis-scan exited within 90 s")
        .expect("run cis-scan")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Scans a cluster to its end; returns the report's id.
pub(crate) async fn scanned(app: &TestApp, cluster: &str) -> String {
    let scan = app.scan_to_end(cluster).await;
    scan["report"]["id"].as_str().expect("a report").to_string()
}

/// The report's summary as the API gives it.
async fn summary(app: &TestApp, id: &str) -> Value {
    app.ok(
        "query($id: ID!) { report(id: $id) { summary { total pass fail warn skip notApplicable error } } }",
        json!({ "id": id }),
    )
    .await["report"]["summary"]
        .clone()
}

/// A download as the service serves it.
async fn download(app: &TestApp, id: &str, format: &str) -> String {
    let resp = app
        .client
        .get(format!("{}/reports/{id}/{format}", app.address))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

#[actix_web::test]
async fn reports_lists_a_scanned_report_with_its_counts() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let o = cis(
        &app.address,
        Some(&app.admin),
        &["reports", "--format", "json"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = serde_json::from_str(&stdout(&o)).expect("a JSON list");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["id"], id.as_str());
    assert_eq!(lines[0]["clusterId"], "demo");
    assert_eq!(lines[0]["state"], "FAIL");
    assert_eq!(lines[0]["summary"], summary(&app, &id).await);
}

#[actix_web::test]
async fn reports_table_shows_newest_first_with_ids_report_takes() {
    let app = spawn_app().await;
    let older = scanned(&app, "demo").await;
    let newer = scanned(&app, "other").await;
    let o = cis(&app.address, Some(&app.admin), &["reports"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows[0].starts_with("ID") && rows[0].contains("N/A"),
        "{text}"
    );
    assert!(
        rows[1].starts_with(&newer) && rows[1].contains("other"),
        "{text}"
    );
    assert!(
        rows[2].starts_with(&older) && rows[2].contains("demo"),
        "{text}"
    );
    let s = summary(&app, &older).await;
    let counts: Vec<String> = rows[2]
        .split_whitespace()
        .skip(5)
        .map(String::from)
        .collect();
    let want: Vec<String> = ["pass", "fail", "warn", "skip", "notApplicable", "error"]
        .iter()
        .map(|k| s[k].to_string())
        .collect();
    assert_eq!(counts, want, "{text}");
}

#[actix_web::test]
async fn reports_of_an_owner_token_are_its_clusters_only() {
    let app = spawn_app().await;
    scanned(&app, "demo").await;
    let own = scanned(&app, "other").await;
    let owner = create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let o = cis(&app.address, Some(&owner), &["reports", "--format", "json"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [own.as_str()]);
}

#[actix_web::test]
async fn a_token_file_is_read_instead_of_the_environment() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{}\n", app.admin)).unwrap();
    let args = [
        "reports",
        "--format",
        "json",
        "--token-file",
        file.to_str().unwrap(),
    ];
    let o = cis(&app.address, None, &args).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&id));
}

#[actix_web::test]
async fn reports_limit_bounds_the_list() {
    let app = spawn_app().await;
    scanned(&app, "demo").await;
    let newest = scanned(&app, "demo").await;
    let args = [
        "reports",
        "--cluster",
        "demo",
        "--limit",
        "1",
        "--format",
        "json",
    ];
    let o = cis(&app.address, Some(&app.admin), &args).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], newest.as_str());
}

#[actix_web::test]
async fn report_json_is_the_download_with_the_reports_summary() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let o = cis(
        &app.address,
        Some(&app.admin),
        &["report", &id, "--format", "json"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(doc["summary"], summary(&app, &id).await);
    assert_eq!(stdout(&o), download(&app, &id, "json").await);
}

#[actix_web::test]
async fn report_csv_is_the_csv_download_unchanged() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let o = cis(
        &app.address,
        Some(&app.admin),
        &["report", &id, "--format", "csv"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), download(&app, &id, "csv").await);
}

#[actix_web::test]
async fn report_table_is_the_table_check_prints_with_its_fail_rows() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let o = cis(&app.address, Some(&app.admin), &["report", &id]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("1.2.15")),
        "{table}"
    );
    let check = cis(&app.address, None, &["check", "--snapshot", "builtin:demo"]).await;
    assert_eq!(table, stdout(&check), "{}", stderr(&check));
}
