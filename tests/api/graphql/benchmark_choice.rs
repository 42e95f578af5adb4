//! Which benchmark a scan uses, through the API: listing benchmarks and
//! profiles, the provider's own benchmark on a managed cluster, a cluster's
//! stored default, scored-only reports, and compliance-operator metric names.

use crate::support::app::{spawn_app, TestApp};
use crate::support::fakekube::FakeApi;
use crate::support::requests::code;
use serde_json::{json, Value};

const REGISTER: &str =
    "mutation($k: String!) { registerCluster(name: \"Fake Prod\", kubeconfig: $k) { id } }";
const SET: &str = "mutation($c: ID!, $b: String) { setClusterBenchmark(clusterId: $c, benchmark: $b) { id benchmark } }";
const LATEST: &str = "query($c: ID!) { cluster(id: $c) { benchmark latestReport { benchmarkVersion benchmarkReason provider scoredOnly summary { total } results { id scored } } } }";

/// The service with one registered live cluster whose API server reports `git_version`.
async fn with_live_cluster(git_version: &str) -> (TestApp, FakeApi) {
    let mut cluster = crate::clusters::live::kubeadm_cluster();
    cluster.git_version = git_version.into();
    let api = FakeApi::start(cluster);
    let app = TestApp::builder().spawn().await;
    app.ok(REGISTER, json!({ "k": api.kubeconfig() })).await;
    (app, api)
}

async fn latest(app: &TestApp, cluster: &str) -> Value {
    app.ok(LATEST, json!({ "c": cluster })).await["cluster"].clone()
}

#[actix_web::test]
async fn the_api_lists_benchmarks_with_provider_and_versions_and_profiles_with_their_skips() {
    let app = spawn_app().await;
    let d = app
        .ok(
            "{ benchmarks { id provider kubernetesMin kubernetesMax } profiles { id benchmark skips { id reason } } }",
            json!({}),
        )
        .await;
    let eks = d["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "eks-1.7.0")
        .cloned()
        .unwrap();
    assert_eq!(
        eks,
        json!({ "id": "eks-1.7.0", "provider": "eks", "kubernetesMin": "1.29", "kubernetesMax": "1.31" })
    );
    let find = |id: &str| {
        let all = d["benchmarks"].as_array().unwrap();
        all.iter().find(|b| b["id"] == id).cloned().unwrap()
    };
    assert_eq!(
        find("cis-2.0"),
        json!({ "id": "cis-2.0", "provider": "generic", "kubernetesMin": "1.34", "kubernetesMax": "1.35" })
    );
    assert_eq!(find("cis-1.12")["kubernetesMax"], "1.33");
    assert_eq!(
        find("eks-1.8.0")["kubernetesMax"],
        Value::Null,
        "open-ended"
    );
    let nodes_only = d["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "eks-1.5.0-nodes-only")
        .cloned()
        .unwrap();
    assert_eq!(nodes_only["benchmark"], "eks-1.5.0");
    let skipped: Vec<&str> = nodes_only["skips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        skipped.contains(&"2.1.1") && skipped.contains(&"5.5.1"),
        "{skipped:?}"
    );
    assert!(
        !skipped.iter().any(|id| id.starts_with("3.")),
        "{skipped:?}"
    );
}

#[actix_web::test]
async fn an_eks_cluster_is_scanned_with_the_eks_benchmark_for_its_version_and_the_report_says_why()
{
    let (app, _api) = with_live_cluster("v1.30.4-eks-a737599").await;
    let scan = app.scan_to_end("fake-prod").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    let c = latest(&app, "fake-prod").await;
    let r = &c["latestReport"];
    assert_eq!(r["benchmarkVersion"], "eks-1.7.0", "{r}");
    assert_eq!(
        r["benchmarkReason"],
        "eks-1.7.0 for eks with Kubernetes 1.30.4"
    );
    assert_eq!(r["provider"], "eks");
}

#[actix_web::test]
async fn a_clusters_stored_benchmark_is_used_by_its_next_scan_until_cleared() {
    let (app, _api) = with_live_cluster("v1.30.4").await;
    let set = app
        .ok(SET, json!({ "c": "fake-prod", "b": "cis-1.8" }))
        .await;
    assert_eq!(
        set["setClusterBenchmark"],
        json!({ "id": "fake-prod", "benchmark": "cis-1.8" })
    );
    app.scan_to_end("fake-prod").await;
    let c = latest(&app, "fake-prod").await;
    assert_eq!(c["benchmark"], "cis-1.8");
    assert_eq!(c["latestReport"]["benchmarkVersion"], "cis-1.8");
    assert_eq!(
        c["latestReport"]["benchmarkReason"],
        "cis-1.8, the cluster's default benchmark"
    );
    // an explicit benchmark still wins over the stored one
    let d = app
        .ok(
            "mutation { runScan(clusterId: \"fake-prod\", benchmark: \"cis-1.9\") { id } }",
            json!({}),
        )
        .await;
    app.wait_scan(d["runScan"]["id"].as_str().unwrap()).await;
    assert_eq!(
        latest(&app, "fake-prod").await["latestReport"]["benchmarkVersion"],
        "cis-1.9"
    );
    // cleared: the Kubernetes version decides again
    app.ok(SET, json!({ "c": "fake-prod", "b": null })).await;
    app.scan_to_end("fake-prod").await;
    let c = latest(&app, "fake-prod").await;
    assert_eq!(c["benchmark"], Value::Null);
    assert_eq!(c["latestReport"]["benchmarkVersion"], "cis-1.11");
}

#[actix_web::test]
async fn an_unknown_stored_benchmark_is_refused_naming_the_known_ones() {
    let (app, _api) = with_live_cluster("v1.30.4").await;
    let r = app
        .gql(SET, json!({ "c": "fake-prod", "b": "cis-9.9" }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("cis-9.9") && msg.contains("eks-1.7.0"),
        "{msg}"
    );
    let missing = app
        .gql(SET, json!({ "c": "nowhere", "b": "cis-1.8" }))
        .await;
    assert_eq!(code(&missing), "NOT_FOUND");
}

#[actix_web::test]
async fn a_configured_cluster_takes_its_default_benchmark_from_the_configuration() {
    let app = TestApp::builder().demo_benchmark("cis-1.9").spawn().await;
    let refused = app.gql(SET, json!({ "c": "demo", "b": "cis-1.8" })).await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    assert!(refused.to_string().contains("configuration"), "{refused}");
    app.scan_to_end("demo").await;
    let c = latest(&app, "demo").await;
    assert_eq!(c["benchmark"], "cis-1.9");
    assert_eq!(c["latestReport"]["benchmarkVersion"], "cis-1.9");
}

#[actix_web::test]
async fn an_unknown_benchmark_in_the_configuration_stops_the_start_naming_the_cluster() {
    let (settings, _, _database) = TestApp::builder()
        .demo_benchmark("cis-0.1")
        .into_parts()
        .await;
    let e = settings.validate().expect_err("start refuses");
    let msg = e.to_string();
    assert!(
        msg.contains("clusters 'demo'") && msg.contains("cis-0.1"),
        "{msg}"
    );
}

#[actix_web::test]
async fn a_scored_only_scan_leaves_unscored_and_manual_checks_out_and_says_so() {
    let app = spawn_app().await;
    app.scan_to_end("demo").await;
    let full = latest(&app, "demo").await["latestReport"].clone();
    assert_eq!(full["scoredOnly"], false);
    let d = app
        .ok(
            "mutation { runScan(clusterId: \"demo\", scoredOnly: true) { id scoredOnly } }",
            json!({}),
        )
        .await;
    assert_eq!(d["runScan"]["scoredOnly"], true);
    app.wait_scan(d["runScan"]["id"].as_str().unwrap()).await;
    let only = latest(&app, "demo").await["latestReport"].clone();
    assert_eq!(only["scoredOnly"], true);
    let results = only["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["scored"] == true), "{only}");
    let full_scored = full["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scored"] == true)
        .count();
    assert_eq!(results.len(), full_scored);
    assert_eq!(only["summary"]["total"], json!(full_scored));
    assert!(full_scored < full["results"].as_array().unwrap().len());
}

#[actix_web::test]
async fn a_schedule_can_ask_for_scored_only_reports() {
    let app = spawn_app().await;
    let d = app
        .ok(
            "mutation { createSchedule(clusterId: \"demo\", cron: \"0 3 * * *\", scoredOnly: true) { id scoredOnly } }",
            json!({}),
        )
        .await;
    assert_eq!(d["createSchedule"]["scoredOnly"], true);
    let now = chrono::Utc::now() + chrono::Duration::days(2);
    let fired = app.state.scheduler.run_due(now).await.unwrap();
    assert_eq!(fired.len(), 1);
    let scan = app.wait_scan(&fired[0].to_string()).await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    assert_eq!(
        latest(&app, "demo").await["latestReport"]["scoredOnly"],
        true
    );
    let id = d["createSchedule"]["id"].as_str().unwrap();
    let u = app
        .ok(
            "mutation($id: ID!) { updateSchedule(id: $id, scoredOnly: false) { scoredOnly } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(u["updateSchedule"]["scoredOnly"], false);
}

#[actix_web::test]
async fn metrics_carry_compliance_operator_names_beside_cis_operator_ones() {
    let app = spawn_app().await;
    app.scan_to_end("demo").await;
    let text = app.admin_text("/metrics").await;
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .expect("valid exposition");
    let sample = |name: &str| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && s.labels.get("cluster_name") == Some("demo"))
            .map(|s| (format!("{:?}", s.value), s.labels.clone()))
            .unwrap_or_else(|| panic!("no {name}"))
    };
    for suffix in ["total", "pass", "fail", "warn", "skipped", "na"] {
        let (cis, cis_labels) = sample(&format!("cis_scan_num_tests_{suffix}"));
        let (co, co_labels) = sample(&format!("compliance_scan_num_tests_{suffix}"));
        assert_eq!(cis, co, "{suffix}");
        assert_eq!(cis_labels, co_labels, "{suffix}");
    }
    assert_eq!(
        sample("compliance_scan_num_scans_complete").0,
        sample("cis_scan_num_scans_complete").0
    );
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_benchmarks_command_lists_provider_and_versions_then_profiles() {
    let o = cli(&["benchmarks"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let eks = out.lines().find(|l| l.starts_with("eks-1.7.0 ")).unwrap();
    let cols: Vec<&str> = eks.split_whitespace().collect();
    assert_eq!(
        &cols[..4],
        &["eks-1.7.0", "eks", "1.29-1.31", "46"],
        "{eks}"
    );
    let cis = out.lines().find(|l| l.starts_with("cis-2.0 ")).unwrap();
    let cols: Vec<&str> = cis.split_whitespace().collect();
    assert_eq!(
        &cols[..4],
        &["cis-2.0", "generic", "1.34-1.35", "131"],
        "{cis}"
    );
    let profile = out
        .lines()
        .find(|l| l.starts_with("eks-1.5.0-nodes-only "))
        .unwrap();
    let cols: Vec<&str> = profile.split_whitespace().collect();
    assert_eq!(
        &cols[..3],
        &["eks-1.5.0-nodes-only", "eks-1.5.0", "33"],
        "{profile}"
    );
}

#[test]
fn check_scored_only_leaves_unscored_checks_out_of_the_json_and_says_so() {
    let h = crate::support::hostroot::HostRoot::new();
    crate::support::kubeadm::control_plane(&h);
    let root = h.root();
    let proc = h.proc();
    let run = |extra: &[&str]| -> Value {
        let mut args = vec![
            "check",
            "--format",
            "json",
            "--benchmark",
            "cis-1.8",
            "--host-root",
        ];
        args.push(root.to_str().unwrap());
        args.extend(["--proc", proc.to_str().unwrap()]);
        args.extend(extra);
        serde_json::from_slice(&cli(&args).stdout).unwrap()
    };
    let full = run(&[]);
    let only = run(&["--scored-only"]);
    assert_eq!(full.get("scoredOnly"), None, "absent when false");
    assert_eq!(only["scoredOnly"], true);
    let results = only["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["scored"] == true));
    let scored = full["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scored"] == true)
        .count();
    assert_eq!(results.len(), scored);
    assert_eq!(only["summary"]["total"], json!(scored));
}
