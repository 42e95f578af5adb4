//! The XCCDF export, validated by OpenSCAP (`oscap xccdf validate`) and read
//! with an XML parser: one TestResult per node, only that node's checks.

use crate::exports::formats::{demo_report_id, export, json_export};
use crate::support::app::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn demo_export(app: &TestApp) -> (String, Value, String) {
    let id = demo_report_id(app).await;
    let doc = json_export(app, &id, "json").await;
    let r = export(app, &id, "xccdf", Some(&app.admin)).await;
    assert_eq!(r.status(), 200);
    (id, doc, r.text().await.unwrap())
}

const XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";

/// Runs `oscap xccdf validate` on `body`; panics with its complaints.
fn oscap_validate(body: &str) {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("export.xccdf.xml");
    std::fs::write(&file, body).unwrap();
    let o = std::process::Command::new("oscap")
        .args(["xccdf", "validate"])
        .arg(&file)
        .output()
        .expect("oscap is missing: run .ci/setup (installs openscap-utils)");
    assert!(
        o.status.success(),
        "oscap xccdf validate refused the export:\n{}",
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&o.stderr).lines())
            .filter(|l| !l.starts_with("Warning"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[actix_web::test]
async fn the_xccdf_export_of_the_demo_validates_with_oscap() {
    let app = spawn_app().await;
    let (_, _, body) = demo_export(&app).await;
    oscap_validate(&body);
}

/// Replaces every string equal to a key of `names` by its value.
fn rename(v: &mut Value, names: &[(&str, &str)]) {
    match v {
        Value::String(s) => {
            if let Some((_, new)) = names.iter().find(|(old, _)| old == s) {
                *s = new.to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename(i, names)),
        Value::Object(map) => map.values_mut().for_each(|i| rename(i, names)),
        _ => {}
    }
}

#[actix_web::test]
async fn node_names_that_differ_only_in_unsafe_characters_get_distinct_ids_and_validate() {
    use cis_scan::engine::render::{write, ExportContext, Format};
    let app = spawn_app().await;
    let (_, mut doc, _) = demo_export(&app).await;
    // the demo's report with its nodes named as a hostile cluster may name them
    rename(
        &mut doc,
        &[("cp-1", "a b"), ("worker-1", "a:b"), ("cluster", "a_b")],
    );
    let report: cis_scan::engine::report::Report = serde_json::from_value(doc).unwrap();
    let ctx = ExportContext {
        report_id: None,
        scan_id: uuid::Uuid::new_v4(),
        cluster: Some("demo".into()),
        cluster_name: None,
        started_at: chrono::Utc::now(),
        finished_at: chrono::Utc::now(),
    };
    let mut out = Vec::new();
    write(&report, Format::Xccdf, &ctx, false, &mut out).unwrap();
    let body = String::from_utf8(out).unwrap();
    let xml = roxmltree::Document::parse(&body).unwrap();
    let ids: Vec<(&str, &str)> = xml
        .descendants()
        .filter(|n| n.has_tag_name((XCCDF, "TestResult")))
        .map(|n| {
            let target = n.children().find(|c| c.has_tag_name((XCCDF, "target")));
            (n.attribute("id").unwrap(), target.unwrap().text().unwrap())
        })
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    let distinct: std::collections::HashSet<&str> = ids.iter().map(|(id, _)| *id).collect();
    assert_eq!(distinct.len(), 3, "TestResult ids clash: {ids:?}");
    oscap_validate(&body);
}

#[actix_web::test]
async fn each_xccdf_test_result_lists_only_its_nodes_checks_with_mapped_results() {
    let app = spawn_app().await;
    let (_, doc, body) = demo_export(&app).await;
    let xml = roxmltree::Document::parse(&body).unwrap();
    let rules: std::collections::BTreeSet<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name((XCCDF, "Rule")))
        .map(|n| n.attribute("id").unwrap())
        .collect();
    let want = |state: &str| match state {
        "PASS" => "pass",
        "FAIL" => "fail",
        "ERROR" => "error",
        "NOT_APPLICABLE" => "notapplicable",
        "SKIP" => "notselected",
        "WARN" => "informational",
        other => panic!("unknown state {other}"),
    };
    let results: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name((XCCDF, "TestResult")))
        .collect();
    assert_eq!(results.len(), 3, "cluster, cp-1 and worker-1");
    for tr in results {
        let node = tr
            .children()
            .find(|n| n.has_tag_name((XCCDF, "target")))
            .unwrap()
            .text()
            .unwrap();
        let mut listed = 0;
        for rr in tr
            .children()
            .filter(|n| n.has_tag_name((XCCDF, "rule-result")))
        {
            listed += 1;
            let idref = rr.attribute("idref").unwrap();
            assert!(rules.contains(idref), "{idref} resolves to a Rule");
            let check = idref.rsplit('_').next().unwrap();
            let c = doc["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == check)
                .unwrap();
            // the node has a result for this check, and the XCCDF result is its state's
            let n = c["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["node"] == node)
                .unwrap_or_else(|| panic!("{check} has no result on {node}"));
            let result = rr
                .children()
                .find(|x| x.has_tag_name((XCCDF, "result")))
                .unwrap()
                .text()
                .unwrap();
            assert_eq!(
                result,
                want(n["state"].as_str().unwrap()),
                "{check} on {node}"
            );
        }
        assert!(listed > 0, "{node}");
        if node == "worker-1" {
            // no etcd on the worker: its etcd section (all not applicable) is not listed
            assert!(
                tr.children()
                    .filter(|n| n.has_tag_name((XCCDF, "rule-result")))
                    .all(|rr| !rr.attribute("idref").unwrap().ends_with("_rule_2.1")),
                "worker-1 lists etcd checks"
            );
        }
    }
}

#[actix_web::test]
async fn an_xccdf_test_result_has_the_scans_real_times_and_names_cluster_and_report() {
    let app = spawn_app().await;
    let (id, _, body) = demo_export(&app).await;
    let r = app
        .ok(
            "query($id: ID!) { report(id: $id) { startedAt finishedAt } }",
            json!({ "id": id }),
        )
        .await;
    let xml = roxmltree::Document::parse(&body).unwrap();
    let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    for tr in xml
        .descendants()
        .filter(|n| n.has_tag_name((XCCDF, "TestResult")))
    {
        assert_eq!(
            time(tr.attribute("start-time").unwrap()),
            time(r["report"]["startedAt"].as_str().unwrap())
        );
        assert_eq!(
            time(tr.attribute("end-time").unwrap()),
            time(r["report"]["finishedAt"].as_str().unwrap())
        );
        let facts: Vec<_> = tr
            .descendants()
            .filter(|n| n.has_tag_name((XCCDF, "fact")))
            .map(|n| (n.attribute("name").unwrap(), n.text().unwrap_or("")))
            .collect();
        assert!(
            facts.contains(&("urn:cis-scan:fact:cluster", "demo")),
            "{facts:?}"
        );
        assert!(
            facts.contains(&("urn:cis-scan:fact:report-id", id.as_str())),
            "{facts:?}"
        );
    }
}

#[test]
fn check_prints_the_demo_snapshot_as_xccdf_that_oscap_accepts() {
    let stdout = crate::support::process::check_demo("xccdf");
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("check.xccdf.xml");
    std::fs::write(&file, &stdout).unwrap();
    let v = std::process::Command::new("oscap")
        .args(["xccdf", "validate"])
        .arg(&file)
        .output()
        .expect("oscap is missing: run .ci/setup (installs openscap-utils)");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

#[actix_web::test]
async fn the_rule_text_is_written_once_and_each_rule_result_holds_only_its_nodes_evidence() {
    let app = spawn_app().await;
    let (_, doc, body) = demo_export(&app).await;
    let xml = roxmltree::Document::parse(&body).unwrap();
    let checks = doc["results"].as_array().unwrap();
    let rules: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name((XCCDF, "Rule")))
        .collect();
    assert_eq!(rules.len(), checks.len(), "one Rule per check");
    // every element's text: a check's remediation is one of them, once
    let texts: Vec<&str> = xml
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| n.text())
        .collect();
    for c in checks {
        let fix = c["remediation"].as_str().unwrap();
        let times = texts.iter().filter(|t| **t == fix).count();
        assert_eq!(
            times, 1,
            "the remediation of {} is written {times} times",
            c["id"]
        );
    }
    let mut seen = 0;
    for rr in xml
        .descendants()
        .filter(|n| n.has_tag_name((XCCDF, "rule-result")))
    {
        seen += 1;
        // the idref only: the scan's time is the TestResult's end-time
        let attributes: Vec<&str> = rr.attributes().map(|a| a.name()).collect();
        assert_eq!(attributes, ["idref"]);
        let children: Vec<&str> = rr
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(children, ["result", "message"]);
    }
    assert!(seen > checks.len(), "{seen} rule-results");
}
