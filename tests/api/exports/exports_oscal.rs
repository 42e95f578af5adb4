//! The OSCAL export, loaded by compliance-trestle's models (the OSCAL 1.2
//! schema as trestle 5.x enforces it) and read as JSON: one finding per check,
//! one observation per check and node with its evidence, the scan's times.

use crate::exports::formats::{demo_report_id, json_export};
use crate::support::app::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn demo_export(app: &TestApp) -> (String, Value, Value) {
    let id = demo_report_id(app).await;
    let doc = json_export(app, &id, "json").await;
    let oscal = json_export(app, &id, "oscal").await;
    (id, doc, oscal)
}

/// Loads the file with trestle's model, which validates it against OSCAL.
fn trestle_load(file: &std::path::Path) -> std::process::Output {
    // the venv .ci/setup installs into: SCHEMATHESIS_VENV, else .ci/venv
    let venv = std::env::var("SCHEMATHESIS_VENV").unwrap_or_else(|_| ".ci/venv".into());
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(venv)
        .join("bin/python");
    let o = std::process::Command::new(&python)
        .args(["-c", "import trestle.oscal.assessment_results"])
        .output();
    assert!(
        o.is_ok_and(|o| o.status.success()),
        "trestle is missing: run .ci/setup"
    );
    std::process::Command::new(python)
        .args([
            "-c",
            "import sys, pathlib\n\
             from trestle.oscal.assessment_results import AssessmentResults\n\
             ar = AssessmentResults.oscal_read(pathlib.Path(sys.argv[1]))\n\
             assert ar is not None and len(ar.results) == 1\n",
        ])
        .arg(file)
        .output()
        .unwrap()
}

#[actix_web::test]
async fn the_oscal_export_of_the_demo_loads_in_compliance_trestle() {
    let app = spawn_app().await;
    let (_, _, body) = demo_export(&app).await;
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("demo.oscal.json");
    std::fs::write(&file, body.to_string()).unwrap();
    let o = trestle_load(&file);
    assert!(
        o.status.success(),
        "trestle refused the export:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[actix_web::test]
async fn oscal_has_a_finding_per_check_whose_observations_name_each_node_once_with_its_evidence() {
    let app = spawn_app().await;
    let (_, doc, body) = demo_export(&app).await;
    let result = &body["assessment-results"]["results"][0];
    let findings = result["findings"].as_array().unwrap();
    let checks = doc["results"].as_array().unwrap();
    assert_eq!(findings.len(), checks.len());
    let observations = result["observations"].as_array().unwrap();
    let mut used = 0;
    for (check, finding) in checks.iter().zip(findings) {
        let satisfied = finding["target"]["status"]["state"].as_str().unwrap();
        let want = match check["state"].as_str().unwrap() {
            "PASS" | "NOT_APPLICABLE" => "satisfied",
            _ => "not-satisfied",
        };
        assert_eq!(satisfied, want, "{}", check["id"]);
        // nodes with the same result share one observation: together they name each node once
        let mut named = Vec::new();
        for rel in finding["related-observations"].as_array().unwrap() {
            let o = observations
                .iter()
                .find(|o| o["uuid"] == rel["observation-uuid"])
                .expect("a related observation exists");
            used += 1;
            let evidence = o["relevant-evidence"][0]["description"].as_str().unwrap();
            for subject in o["subjects"].as_array().unwrap() {
                let title = subject["title"].as_str().unwrap();
                let node = check["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|n| n["node"] == title)
                    .expect("a subject is one of the check's nodes");
                for part in ["actual", "expected", "source"] {
                    let value = node[part].as_str().unwrap();
                    assert!(evidence.contains(&format!("{part}: {value}")), "{evidence}");
                }
                named.push(title.to_string());
            }
        }
        let mut nodes: Vec<String> = check["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["node"].as_str().unwrap().to_string())
            .collect();
        named.sort();
        nodes.sort();
        assert_eq!(named, nodes, "{}", check["id"]);
    }
    assert_eq!(
        observations.len(),
        used,
        "every observation belongs to a finding"
    );
}

#[actix_web::test]
async fn nodes_with_the_same_result_share_one_observation() {
    let app = spawn_app().await;
    let (_, doc, body) = demo_export(&app).await;
    let observations = body["assessment-results"]["results"][0]["observations"]
        .as_array()
        .unwrap();
    let node_results: usize = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["nodes"].as_array().unwrap().len())
        .sum();
    // the demo's two nodes agree on many checks (both PASS, or both NOT_APPLICABLE the same way)
    assert!(
        observations.len() < node_results,
        "{} observations for {node_results} node results",
        observations.len()
    );
    assert!(observations
        .iter()
        .any(|o| o["subjects"].as_array().unwrap().len() > 1));
}

#[actix_web::test]
async fn an_oscal_result_has_the_scans_real_times_and_names_report_cluster_and_benchmark() {
    let app = spawn_app().await;
    let (id, doc, body) = demo_export(&app).await;
    let r = app
        .ok(
            "query($id: ID!) { report(id: $id) { startedAt finishedAt } }",
            json!({ "id": id }),
        )
        .await;
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let result = &body["assessment-results"]["results"][0];
    assert_eq!(time(&result["start"]), time(&r["report"]["startedAt"]));
    assert_eq!(time(&result["end"]), time(&r["report"]["finishedAt"]));
    let props: Vec<(&str, &str)> = result["props"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert!(props.contains(&("report-id", id.as_str())), "{props:?}");
    assert!(props.contains(&("cluster", "demo")), "{props:?}");
    assert!(
        props.contains(&("benchmark", doc["benchmark"].as_str().unwrap())),
        "{props:?}"
    );
    let uuid = body["assessment-results"]["uuid"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(uuid).unwrap().get_version_num(), 4);
}

#[test]
fn check_prints_the_demo_snapshot_as_oscal_that_trestle_loads() {
    let stdout = crate::support::process::check_demo("oscal");
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("check.oscal.json");
    std::fs::write(&file, &stdout).unwrap();
    let t = trestle_load(&file);
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
}
