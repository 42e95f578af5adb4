//! The JUnit export, read with a real XML parser: per node, its tests,
//! failures and skips are the report's, and a failure carries its evidence.

use crate::exports::formats::{demo_report_id, export, json_export, node_results};
use crate::support::app::spawn_app;
use serde_json::Value;

/// Per node: (tests, failures, skipped) as the report document counts them.
fn junit_counts_of(doc: &Value) -> std::collections::BTreeMap<String, (usize, usize, usize)> {
    let mut m = std::collections::BTreeMap::new();
    for (node, _, state) in node_results(doc) {
        let e = m.entry(node).or_insert((0, 0, 0));
        e.0 += 1;
        match state.as_str() {
            "FAIL" | "ERROR" => e.1 += 1,
            "WARN" | "SKIP" | "NOT_APPLICABLE" => e.2 += 1,
            _ => {}
        }
    }
    m
}

#[actix_web::test]
async fn the_junit_export_counts_tests_failures_and_skips_per_node_as_the_report_does() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let doc = json_export(&app, &id, "json").await;
    let r = export(&app, &id, "junit", Some(&app.admin)).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let xml = roxmltree::Document::parse(&body).expect("well-formed JUnit XML");
    let attr = |n: roxmltree::Node, a: &str| -> usize { n.attribute(a).unwrap().parse().unwrap() };
    let mut seen = std::collections::BTreeMap::new();
    for suite in xml.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let node = suite.attribute("hostname").unwrap().to_string();
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|x| x.has_tag_name("failure")))
            .count();
        let skipped = cases
            .iter()
            .filter(|c| c.children().any(|x| x.has_tag_name("skipped")))
            .count();
        // the suite's own counts agree with its testcases
        assert_eq!(
            (
                attr(suite, "tests"),
                attr(suite, "failures"),
                attr(suite, "skipped")
            ),
            (cases.len(), failed, skipped),
            "{node}"
        );
        seen.insert(node, (cases.len(), failed, skipped));
    }
    let expected = junit_counts_of(&doc);
    assert!(expected.values().any(|c| c.1 > 0), "the demo has failures");
    assert_eq!(seen, expected);
    let props: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .map(|n| (n.attribute("name").unwrap(), n.attribute("value").unwrap()))
        .collect();
    assert!(
        props.contains(&("cis-scan.report-id", id.as_str())),
        "{props:?}"
    );
    assert!(props.contains(&("cis-scan.cluster", "demo")), "{props:?}");
}

#[actix_web::test]
async fn a_junit_failure_carries_the_evidence_of_its_node() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let doc = json_export(&app, &id, "json").await;
    let body = export(&app, &id, "junit", Some(&app.admin))
        .await
        .text()
        .await
        .unwrap();
    let xml = roxmltree::Document::parse(&body).unwrap();
    let failing = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "FAIL")
        .unwrap();
    let n = failing["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["state"] == "FAIL")
        .unwrap();
    let suite = xml
        .descendants()
        .find(|s| s.has_tag_name("testsuite") && s.attribute("hostname") == n["node"].as_str())
        .unwrap();
    let id_prefix = format!("{} ", failing["id"].as_str().unwrap());
    let case = suite
        .children()
        .find(|c| {
            c.has_tag_name("testcase") && c.attribute("name").unwrap().starts_with(&id_prefix)
        })
        .unwrap();
    let failure = case.children().find(|x| x.has_tag_name("failure")).unwrap();
    let text = failure.text().unwrap();
    assert!(text.contains(n["actual"].as_str().unwrap()), "{text}");
    assert!(text.contains(n["expected"].as_str().unwrap()), "{text}");
}

#[test]
fn check_prints_the_demo_snapshot_as_junit_xml() {
    let stdout = crate::support::process::check_demo("junit");
    let body = String::from_utf8(stdout).unwrap();
    let xml = roxmltree::Document::parse(&body).expect("well-formed JUnit XML");
    let root = xml.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert!(root.attribute("failures").unwrap().parse::<u32>().unwrap() > 0);
}
