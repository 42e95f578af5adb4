//! The fleet query: every visible cluster's newest report and the check matrix.

use crate::support::app::{other_cluster, TestApp};
use crate::support::requests::code;
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::SnapshotSource;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) const FLEET: &str = "query($b: String, $first: Int, $offset: Int) {
  fleet(benchmark: $b, first: $first, offset: $offset) {
    benchmark totalClusters benchmarks { benchmark clusters }
    clusters { clusterId clusterName reportId benchmarkVersion finishedAt
      summary { total pass fail warn skip notApplicable error } }
    checks { id description section states counts { total fail error pass } } } }";

/// The demo, "other" and "third" (all the demo snapshot).
pub(crate) async fn three_clusters() -> TestApp {
    let third = ExtraCluster {
        id: "third".into(),
        name: "Third".into(),
        source: Arc::new(SnapshotSource::open("builtin:demo").unwrap()),
    };
    TestApp::builder()
        .cluster(other_cluster())
        .cluster(third)
        .spawn()
        .await
}

pub(crate) async fn scan(app: &TestApp, cluster: &str, benchmark: Option<&str>) -> String {
    let d = app
        .ok(
            "mutation($c: ID!, $b: String) { runScan(clusterId: $c, benchmark: $b) { id } }",
            json!({ "c": cluster, "b": benchmark }),
        )
        .await;
    let s = app.wait_scan(d["runScan"]["id"].as_str().unwrap()).await;
    assert_eq!(s["state"], "SUCCEEDED", "{s}");
    s["report"]["id"].as_str().unwrap().to_string()
}

/// A report's summary and its check states by id.
pub(crate) async fn report(app: &TestApp, id: &str) -> (Value, HashMap<String, String>) {
    let d = app
        .ok(
            "query($id: ID!) { report(id: $id) { summary { total pass fail warn skip notApplicable error } results { id state } } }",
            json!({ "id": id }),
        )
        .await;
    let states = d["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (d["report"]["summary"].clone(), states)
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c[field].as_str().unwrap_or("-").to_string())
        .collect()
}

#[actix_web::test]
async fn an_admin_sees_every_cluster_with_its_latest_report_and_an_aligned_matrix() {
    let app = three_clusters().await;
    scan(&app, "demo", None).await;
    app.ok(
        "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\") { testId } }",
        json!({}),
    )
    .await;
    let demo_latest = scan(&app, "demo", None).await;
    let other_latest = scan(&app, "other", None).await;
    let f = app.ok(FLEET, json!({})).await["fleet"].clone();
    assert_eq!(f["totalClusters"], 3);
    assert_eq!(ids(&f["clusters"], "clusterId"), ["demo", "other", "third"]);
    assert_eq!(
        ids(&f["clusters"], "reportId"),
        [demo_latest.as_str(), other_latest.as_str(), "-"],
        "the newest report of each; none for a cluster never scanned"
    );
    assert!(f["clusters"][2]["summary"].is_null());
    let mut expected = Vec::new();
    for (i, id) in [&demo_latest, &other_latest].into_iter().enumerate() {
        let (summary, states) = report(&app, id).await;
        assert_eq!(f["clusters"][i]["summary"], summary, "cluster {i}");
        expected.push(states);
    }
    assert_ne!(
        f["clusters"][0]["summary"], f["clusters"][1]["summary"],
        "the skip changed the demo's latest counts"
    );
    let checks = f["checks"].as_array().unwrap();
    assert_eq!(checks.len(), expected[0].len(), "one row per check");
    for c in checks {
        let id = c["id"].as_str().unwrap();
        let states = c["states"].as_array().unwrap();
        assert_eq!(states.len(), 3, "{id}: one state per cluster");
        for (j, want) in expected.iter().enumerate() {
            assert_eq!(
                states[j].as_str(),
                want.get(id).map(String::as_str),
                "{id} on cluster {j}"
            );
        }
        assert!(states[2].is_null(), "{id}: no report, no state");
        let fails = states.iter().filter(|s| *s == "FAIL").count();
        assert_eq!(c["counts"]["fail"], fails, "{id}");
        assert_eq!(c["counts"]["total"], 2, "{id}");
    }
    let row = checks.iter().find(|c| c["id"] == "1.2.15").unwrap();
    assert_eq!(row["states"], json!(["SKIP", "FAIL", null]));
    assert!(!row["description"].as_str().unwrap().is_empty());
}

#[actix_web::test]
async fn an_owner_sees_only_its_cluster() {
    let app = three_clusters().await;
    scan(&app, "demo", None).await;
    let mine = scan(&app, "other", None).await;
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let r = app.gql_as(Some(&owner), FLEET, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let f = &r["data"]["fleet"];
    assert_eq!(f["totalClusters"], 1);
    assert_eq!(ids(&f["clusters"], "reportId"), [mine]);
    assert_eq!(f["benchmarks"].as_array().unwrap().len(), 1);
    assert!(f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["states"].as_array().unwrap().len() == 1));
}

#[actix_web::test]
async fn the_benchmark_picks_each_clusters_newest_report_of_it() {
    let app = three_clusters().await;
    let demo_default = scan(&app, "demo", None).await;
    let demo_old = scan(&app, "demo", Some("cis-1.8")).await;
    scan(&app, "other", None).await;
    scan(&app, "third", None).await;
    // no argument: the benchmark most newest reports use
    let f = app.ok(FLEET, json!({})).await["fleet"].clone();
    let common = f["benchmark"].as_str().unwrap().to_string();
    assert_ne!(common, "cis-1.8");
    assert_eq!(
        f["benchmarks"],
        json!([{ "benchmark": common, "clusters": 2 }, { "benchmark": "cis-1.8", "clusters": 1 }])
    );
    assert_eq!(f["clusters"][0]["reportId"], demo_default.as_str());
    assert_eq!(f["clusters"][0]["benchmarkVersion"], common.as_str());
    let old = app.ok(FLEET, json!({ "b": "cis-1.8" })).await["fleet"].clone();
    assert_eq!(old["benchmark"], "cis-1.8");
    assert_eq!(
        ids(&old["clusters"], "reportId"),
        [demo_old.as_str(), "-", "-"]
    );
    assert!(old["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["states"][0].is_null() && c["states"][1].is_null()));
}

#[actix_web::test]
async fn an_unknown_benchmark_or_a_bad_page_is_bad_user_input() {
    let app = three_clusters().await;
    let r = app.gql(FLEET, json!({ "b": "cis-9.9" })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cis-1.11"),
        "{r}"
    );
    for vars in [
        json!({ "first": 0 }),
        json!({ "first": 501 }),
        json!({ "offset": -1 }),
    ] {
        assert_eq!(
            code(&app.gql(FLEET, vars.clone()).await),
            "BAD_USER_INPUT",
            "{vars}"
        );
    }
}

#[actix_web::test]
async fn clusters_page_by_first_and_offset() {
    let app = three_clusters().await;
    scan(&app, "other", None).await;
    let f = app.ok(FLEET, json!({ "first": 1, "offset": 1 })).await["fleet"].clone();
    assert_eq!(f["totalClusters"], 3);
    assert_eq!(ids(&f["clusters"], "clusterId"), ["other"]);
    assert!(f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["states"].as_array().unwrap().len() == 1));
    let none = app.ok(FLEET, json!({ "first": 1, "offset": 0 })).await["fleet"].clone();
    assert_eq!(
        ids(&none["clusters"], "reportId"),
        ["-"],
        "the demo has no report"
    );
    assert_eq!(none["checks"], json!([]));
}

#[actix_web::test]
async fn the_fleets_cost_grows_with_first() {
    let app = three_clusters().await;
    let one = "fleet(first: 500) { clusters { clusterId clusterName reportId benchmarkVersion benchmarkTitle finishedAt summary { total pass fail warn skip notApplicable error } } checks { id description section states counts { total pass fail warn skip notApplicable error } } }";
    // two pages of different sizes (the same field twice is refused as a duplicate)
    let big = format!(
        "{{ a: {one} b: {} }}",
        one.replace("first: 500", "first: 499")
    );
    let r = app.gql(&big, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "complexity");
    let r = app.gql(&format!("{{ {one} }}"), json!({})).await;
    assert!(r.get("errors").is_none(), "one page of 500 is allowed: {r}");
}

#[actix_web::test]
async fn worst_first_orders_checks_by_how_many_clusters_fail_them() {
    let app = three_clusters().await;
    scan(&app, "demo", None).await;
    scan(&app, "other", None).await;
    app.ok(
        "mutation { skipTest(clusterId: \"other\", testId: \"1.2.15\") { testId } }",
        json!({}),
    )
    .await;
    scan(&app, "other", None).await;
    let f = app
        .ok(
            "{ fleet(worstFirst: true) { checks { id counts { fail error } } } }",
            json!({}),
        )
        .await;
    let bad: Vec<i64> = f["fleet"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["counts"]["fail"].as_i64().unwrap() + c["counts"]["error"].as_i64().unwrap())
        .collect();
    assert!(bad[0] == 2 && bad.contains(&1), "{bad:?}");
    assert!(bad.windows(2).all(|w| w[0] >= w[1]), "{bad:?}");
}
