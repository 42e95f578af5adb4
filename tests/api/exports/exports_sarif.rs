//! The SARIF export, validated by Microsoft's SARIF multitool (its SARIF rules and the
//! GitHub Advanced Security ones) and read as JSON: one rule per check, one result per
//! FAIL, WARN or ERROR check and node of the report.

use crate::exports::formats::{demo_report_id, export, json_export};
use crate::support::app::{spawn_app, TestApp};
use serde_json::Value;
use std::collections::BTreeSet;

/// The multitool's Linux binary, as .ci/setup installs it from npm.
fn multitool() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".ci/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
}

/// Runs `Sarif.Multitool validate` on `body`; panics with its errors. The tool exits 0
/// whatever it finds, so its own SARIF log is read: no result of level error.
fn multitool_validate(body: &[u8]) {
    let bin = multitool();
    assert!(
        bin.is_file(),
        "the SARIF multitool is missing ({}): run .ci/setup",
        bin.display()
    );
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("export.sarif");
    let log = dir.path().join("validation.sarif");
    std::fs::write(&file, body).unwrap();
    let o = std::process::Command::new(&bin)
        .args([
            "validate",
            "--rule-kind",
            "Sarif;Ghas",
            "--log",
            "ForceOverwrite",
        ])
        .arg("--output")
        .arg(&log)
        .arg(&file)
        .output()
        .expect("the SARIF multitool does not run: run .ci/setup");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let log: Value = serde_json::from_slice(&std::fs::read(&log).expect("no validation log"))
        .expect("the validation log is JSON");
    let run = &log["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], true,
        "{stdout}"
    );
    let errors: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .collect();
    let complaints: Vec<&str> = stdout.lines().filter(|l| l.contains(": error ")).collect();
    assert!(
        errors.is_empty(),
        "the multitool refused the export:\n{complaints:#?}"
    );
}

#[test]
#[should_panic(expected = "the multitool refused the export")]
fn the_multitool_check_refuses_a_result_without_a_message() {
    // the check above reads the tool's log, not its exit code (0 either way): it must bite
    let broken = br#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"ruleId": "a", "locations": []}]}]}"#;
    multitool_validate(broken);
}

async fn demo_export(app: &TestApp) -> (Value, reqwest::Response) {
    let id = demo_report_id(app).await;
    let doc = json_export(app, &id, "json").await;
    let r = export(app, &id, "sarif", Some(&app.admin)).await;
    assert_eq!(r.status(), 200);
    (doc, r)
}

#[actix_web::test]
async fn the_sarif_export_of_the_demo_validates_with_the_sarif_multitool() {
    let app = spawn_app().await;
    let (_, r) = demo_export(&app).await;
    multitool_validate(&r.bytes().await.unwrap());
}

#[actix_web::test]
async fn the_sarif_download_is_an_application_sarif_json_attachment() {
    let app = spawn_app().await;
    let (_, r) = demo_export(&app).await;
    let header = |n: &str| r.headers()[n].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/sarif+json");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"cis-demo-cis-1.11-")
            && disposition.ends_with(".sarif\""),
        "{disposition}"
    );
}

#[actix_web::test]
async fn the_sarif_export_refuses_a_missing_token() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    assert_eq!(export(&app, &id, "sarif", None).await.status(), 401);
}

/// (check id, node, level) of every FAIL, WARN and ERROR node result of the report document.
fn findings(doc: &Value) -> BTreeSet<(String, String, String)> {
    let mut want = BTreeSet::new();
    for c in doc["results"].as_array().unwrap() {
        for n in c["nodes"].as_array().unwrap() {
            let level = match n["state"].as_str().unwrap() {
                "FAIL" | "ERROR" => "error",
                "WARN" => "warning",
                _ => continue,
            };
            let (id, node) = (c["id"].as_str().unwrap(), n["node"].as_str().unwrap());
            want.insert((id.to_string(), node.to_string(), level.to_string()));
        }
    }
    want
}

#[actix_web::test]
async fn every_fail_warn_and_error_check_and_node_of_the_report_is_a_sarif_result() {
    let app = spawn_app().await;
    let (doc, r) = demo_export(&app).await;
    let sarif: Value = r.json().await.unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let checks: Vec<&Value> = doc["results"].as_array().unwrap().iter().collect();
    let rule_ids: Vec<&Value> = rules.iter().map(|r| &r["id"]).collect();
    let check_ids: Vec<&Value> = checks.iter().map(|c| &c["id"]).collect();
    assert_eq!(
        rule_ids, check_ids,
        "one rule per check, in the report's order"
    );
    let mut got = BTreeSet::new();
    for res in run["results"].as_array().unwrap() {
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], res["ruleId"], "{res}");
        assert_eq!(res["kind"], "fail", "{res}");
        let node = res["properties"]["node"].as_str().unwrap();
        let location = &res["locations"][0];
        assert_eq!(location["logicalLocations"][0]["name"], node, "{res}");
        assert!(location["physicalLocation"]["artifactLocation"]["uri"].is_string());
        let fresh = got.insert((
            res["ruleId"].as_str().unwrap().to_string(),
            node.to_string(),
            res["level"].as_str().unwrap().to_string(),
        ));
        assert!(fresh, "a check and node is one result: {res}");
    }
    let want = findings(&doc);
    assert!(want.iter().any(|f| f.2 == "error") && want.iter().any(|f| f.2 == "warning"));
    let nodes: BTreeSet<&String> = want.iter().map(|f| &f.1).collect();
    assert!(
        nodes.len() > 1,
        "the demo fails on several nodes: {nodes:?}"
    );
    assert_eq!(got, want);
}

#[actix_web::test]
async fn a_sarif_run_names_the_cluster_and_report_and_points_at_the_evidence_file() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let sarif = json_export(&app, &id, "sarif").await;
    let doc = json_export(&app, &id, "json").await;
    let run = &sarif["runs"][0];
    assert!(doc["clusterName"].is_string(), "{}", doc["clusterName"]);
    assert_eq!(run["properties"]["clusterName"], doc["clusterName"]);
    assert_eq!(
        run["automationDetails"]["id"],
        format!("cis-scan/demo/{id}")
    );
    assert_eq!(run["properties"]["reportId"], id.as_str());
    assert_eq!(run["tool"]["driver"]["name"], "cis-scan");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let uris: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter()
            .any(|u| u.starts_with("file:///etc/kubernetes/")),
        "{uris:?}"
    );
}

#[test]
fn node_names_and_paths_with_any_characters_stay_valid_sarif() {
    use cis_scan::engine::render::{write, ExportContext, Format};
    let printed = crate::support::process::check_demo("json");
    let mut report: cis_scan::engine::report::Report = serde_json::from_slice(&printed).unwrap();
    let hostile = "w\"o{r}k\\er 1/é\n<x>";
    for c in &mut report.results {
        for n in &mut c.nodes {
            if n.node == "worker-1" {
                n.node = hostile.into();
                n.source = n.source.replace("/etc/", "/etc/my dir %41#?/");
            }
        }
    }
    let ctx = ExportContext {
        report_id: None,
        scan_id: uuid::Uuid::new_v4(),
        cluster: Some("a/b c".into()),
        cluster_name: Some("a {0} name".into()),
        started_at: chrono::Utc::now(),
        finished_at: chrono::Utc::now(),
    };
    let mut out = Vec::new();
    write(&report, Format::Sarif, &ctx, false, &mut out).unwrap();
    let sarif: Value = serde_json::from_slice(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["properties"]["node"] == hostile));
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.bytes().all(|b| b.is_ascii_graphic()), "{uri}");
        assert!(
            !uri.contains(' ') && !uri.contains('#') && !uri.contains('?'),
            "{uri}"
        );
    }
    multitool_validate(&out);
}

#[test]
fn check_prints_the_demo_snapshot_as_sarif_that_the_multitool_validates() {
    let stdout = crate::support::process::check_demo("sarif");
    let sarif: Value = serde_json::from_slice(&stdout).unwrap();
    // no stored report behind `check`: the run is named by its scan only
    let run = &sarif["runs"][0];
    assert!(run["properties"].get("reportId").is_none());
    assert!(run["automationDetails"]["id"]
        .as_str()
        .unwrap()
        .starts_with("cis-scan/"));
    assert!(!run["results"].as_array().unwrap().is_empty());
    multitool_validate(&stdout);
}
