//! Exports of a report at GET /reports/{id}/{format} and `check --format FORMAT`,
//! read the way their consumers read them.

use crate::support::app::{spawn_app, TestApp};
use serde_json::{json, Value};

pub(crate) async fn demo_report_id(app: &TestApp) -> String {
    let end = app.scan_to_end("demo").await;
    assert_eq!(end["state"], "SUCCEEDED", "{end}");
    end["report"]["id"].as_str().unwrap().to_string()
}

pub(crate) async fn export(
    app: &TestApp,
    id: &str,
    format: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}/reports/{id}/{format}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

pub(crate) async fn json_export(app: &TestApp, id: &str, format: &str) -> Value {
    let r = export(app, id, format, Some(&app.admin)).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// (node, check id, state) of every node result in the report document.
pub(crate) fn node_results(doc: &Value) -> Vec<(String, String, String)> {
    let mut v = Vec::new();
    for c in doc["results"].as_array().unwrap() {
        for n in c["nodes"].as_array().unwrap() {
            v.push((
                n["node"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
                n["state"].as_str().unwrap().to_string(),
            ));
        }
    }
    v
}

#[actix_web::test]
async fn the_kube_bench_export_has_what_defectdojos_parser_reads_for_every_node_result() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let doc = json_export(&app, &id, "json").await;
    let kb = json_export(&app, &id, "kube-bench").await;
    // DefectDojo: Controls -> tests -> results, each with status, test_number, test_desc, remediation
    let mut seen = Vec::new();
    for c in kb["Controls"].as_array().unwrap() {
        let node = c["node_name"].as_str().unwrap();
        for key in ["id", "version", "text", "node_type"] {
            assert!(c[key].is_string(), "{key} in {c}");
        }
        for t in c["tests"].as_array().unwrap() {
            assert!(t["section"].is_string() && t["desc"].is_string());
            for r in t["results"].as_array().unwrap() {
                for key in ["test_number", "test_desc", "remediation", "status"] {
                    assert!(r[key].is_string(), "{key} in {r}");
                }
                assert!(r["test_info"].is_array() && r["scored"].is_boolean());
                seen.push((
                    node.to_string(),
                    r["test_number"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    let expected = node_results(&doc);
    // every result that applies to its node is there (sections that apply to no node are left out)
    let applicable = expected
        .iter()
        .filter(|(_, _, s)| s != "NOT_APPLICABLE")
        .count();
    let informational = seen.iter().filter(|(_, _, s)| s == "INFO").count();
    assert!(seen.len() >= applicable && seen.len() <= expected.len());
    assert!(seen.len() - informational <= applicable);
    let fails = |v: &[(String, String, String)]| {
        let mut f: Vec<_> = v
            .iter()
            .filter(|(_, _, s)| s == "FAIL")
            .map(|(n, c, _)| (n.clone(), c.clone()))
            .collect();
        f.sort();
        f
    };
    assert!(!fails(&expected).is_empty(), "the demo has failures");
    assert_eq!(fails(&seen), fails(&expected));
    let total_fail = kb["Totals"]["total_fail"].as_u64().unwrap() as usize;
    assert_eq!(total_fail, fails(&expected).len());
}

#[actix_web::test]
async fn the_kube_bench_export_is_compact_json_with_one_controls_entry_per_line() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let r = export(&app, &id, "kube-bench", Some(&app.admin)).await;
    let body = r.text().await.unwrap();
    let kb: Value = serde_json::from_str(&body).unwrap();
    let controls = kb["Controls"].as_array().unwrap();
    // as kube-bench's own --json: no indentation; a line per entry, the totals on the last
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), controls.len() + 2, "{}", &body[..200]);
    assert_eq!(lines[0], "{\"Controls\":[");
    for (line, c) in lines[1..=controls.len()].iter().zip(controls) {
        let entry: Value = serde_json::from_str(line.trim_end_matches(',')).unwrap();
        assert_eq!(&entry, c);
    }
    assert!(lines.last().unwrap().starts_with("],\"Totals\":"));
}

#[actix_web::test]
async fn the_kube_bench_export_has_one_controls_entry_per_node_and_node_type() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let kb = json_export(&app, &id, "kube-bench").await;
    let mut keys: Vec<(String, String)> = kb["Controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["node_name"].as_str().unwrap().to_string(),
                c["node_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let before = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), before, "{keys:?}");
    let nodes: std::collections::BTreeSet<_> = keys.iter().map(|k| k.0.clone()).collect();
    assert!(nodes.len() > 1, "{nodes:?}");
    // the worker runs no etcd: a section that applies nowhere on it is left out
    assert!(
        keys.contains(&("worker-1".into(), "node".into())),
        "{keys:?}"
    );
    assert!(
        !keys.contains(&("worker-1".into(), "etcd".into())),
        "{keys:?}"
    );
}

#[actix_web::test]
async fn the_kube_bench_export_names_the_report_cluster_benchmark_and_scan_times() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let kb = json_export(&app, &id, "kube-bench").await;
    let r = app
        .ok(
            "query($id: ID!) { report(id: $id) { scanId startedAt finishedAt } }",
            json!({ "id": id }),
        )
        .await;
    let p = &kb["cis_scan"];
    assert_eq!(p["report_id"], id.as_str());
    assert_eq!(p["cluster"], "demo");
    assert_eq!(p["benchmark"], "cis-1.11");
    assert_eq!(p["scan_id"], r["report"]["scanId"]);
    let same_time = |a: &Value, b: &Value| {
        let a = chrono::DateTime::parse_from_rfc3339(a.as_str().unwrap()).unwrap();
        let b = chrono::DateTime::parse_from_rfc3339(b.as_str().unwrap()).unwrap();
        assert_eq!(a, b);
    };
    same_time(&p["started_at"], &r["report"]["startedAt"]);
    same_time(&p["finished_at"], &r["report"]["finishedAt"]);
}

#[actix_web::test]
async fn an_export_refuses_a_missing_token() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let r = export(&app, &id, "kube-bench", None).await;
    assert_eq!(r.status(), 401);
}

#[actix_web::test]
async fn an_unknown_export_format_is_not_found() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let r = export(&app, &id, "pdf", Some(&app.admin)).await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "NOT_FOUND", "{body}");
}

#[actix_web::test]
async fn a_report_lists_its_downloads_and_each_url_answers() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { downloads { format url } } }",
            json!({ "id": id }),
        )
        .await;
    let downloads = d["report"]["downloads"].as_array().unwrap();
    let formats: Vec<&str> = downloads
        .iter()
        .map(|d| d["format"].as_str().unwrap())
        .collect();
    assert!(
        formats.contains(&"kube-bench") && formats.contains(&"json"),
        "{formats:?}"
    );
    for dl in downloads {
        let url = dl["url"].as_str().unwrap();
        assert!(url.ends_with(&format!("/reports/{id}/{}", dl["format"].as_str().unwrap())));
        let path = &url[url.find("/reports/").unwrap()..];
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(&app.admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{url}");
    }
}

#[test]
fn check_prints_the_demo_snapshot_as_kube_bench_json() {
    let stdout = crate::support::process::check_demo("kube-bench");
    let kb: Value = serde_json::from_slice(&stdout).unwrap();
    assert!(kb["Totals"]["total_fail"].as_u64().unwrap() > 0);
    assert_eq!(kb["cis_scan"]["benchmark"], "cis-1.11");
    // no stored report behind `check`: no report id or cluster to name
    assert!(kb["cis_scan"].get("report_id").is_none());
}
