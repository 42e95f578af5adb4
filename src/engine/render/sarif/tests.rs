use super::*;
use crate::engine::render::{render, ExportContext, Next, Renderer};
use crate::engine::report::{Report, Summary};

#[test]
fn fail_and_error_are_errors_warn_a_warning_and_the_rest_no_result() {
    assert_eq!(level(State::Fail), Some(Level::Error));
    assert_eq!(level(State::Error), Some(Level::Error));
    assert_eq!(level(State::Warn), Some(Level::Warning));
    for s in [State::Pass, State::Skip, State::NotApplicable] {
        assert_eq!(level(s), None, "{s:?}");
    }
    assert_eq!(Level::Error.as_str(), "error");
    assert_eq!(Level::Warning.as_str(), "warning");
}

#[test]
fn a_file_uri_keeps_unreserved_characters_and_slashes() {
    assert_eq!(
        file_uri("/etc/kubernetes/manifests/kube-apiserver.yaml"),
        "file:///etc/kubernetes/manifests/kube-apiserver.yaml"
    );
    assert_eq!(file_uri("/a_b~c.d-e"), "file:///a_b~c.d-e");
}

#[test]
fn a_file_uri_percent_encodes_every_other_byte() {
    assert_eq!(
        file_uri("/my dir/a%b#c?d"),
        "file:///my%20dir/a%25b%23c%3Fd"
    );
    assert_eq!(file_uri("/é"), "file:///%C3%A9");
    assert_eq!(file_uri("/a\nb\"c\\d"), "file:///a%0Ab%22c%5Cd");
    assert_eq!(file_uri("/[x]:{y}"), "file:///%5Bx%5D%3A%7By%7D");
}

#[test]
fn a_node_uri_encodes_a_slash_in_a_name_so_node_and_component_stay_two_segments() {
    assert_eq!(node_uri("cp-1", "kubelet"), "cp-1/kubelet");
    assert_eq!(node_uri("a/b c", "x"), "a%2Fb%20c/x");
    assert_eq!(
        node_uri("control plane", "master"),
        "control%20plane/master"
    );
}

#[test]
fn a_file_uri_collapses_runs_of_slashes_so_no_authority_appears() {
    assert_eq!(file_uri("//host/share"), "file:///host/share");
    assert_eq!(file_uri("/etc///x"), "file:///etc/x");
}

#[test]
fn the_file_a_source_names_is_found_in_each_form() {
    assert_eq!(
        source_file("file /etc/kubernetes/admin.conf"),
        Some("/etc/kubernetes/admin.conf")
    );
    assert_eq!(
        source_file("manifest /etc/kubernetes/manifests/etcd.yaml"),
        Some("/etc/kubernetes/manifests/etcd.yaml")
    );
    assert_eq!(
        source_file("config file /var/lib/kubelet/config.yaml (authentication.anonymous.enabled)"),
        Some("/var/lib/kubelet/config.yaml")
    );
    assert_eq!(
        source_file("systemd unit /lib/systemd/kubelet.service + /etc/10-kubeadm.conf"),
        Some("/lib/systemd/kubelet.service")
    );
    assert_eq!(
        source_file("manifest /etc/m/kube-apiserver.yaml --feature-gates"),
        Some("/etc/m/kube-apiserver.yaml")
    );
    assert_eq!(
        source_file("file /my dir/a (b).yaml"),
        Some("/my dir/a (b).yaml")
    );
}

#[test]
fn the_first_file_of_joined_sources_is_taken() {
    assert_eq!(
        source_file("process 12 (kube-apiserver); file /etc/a.yaml; file /etc/b.yaml"),
        Some("/etc/a.yaml")
    );
}

#[test]
fn sources_without_an_absolute_file_name_none() {
    for s in [
        "process 1234 (kube-apiserver)",
        "environment ETCD_CERT_FILE",
        "Kubernetes API (roles, clusterroles)",
        "3 files under /etc/kubernetes/pki",
        "default (kubelet uses true when --anonymous-auth is not given)",
        "file relative/path",
        "file /",
        "",
    ] {
        assert_eq!(source_file(s), None, "{s}");
    }
}

#[test]
fn braces_in_message_text_are_doubled() {
    assert_eq!(message_text("{0} and {a}}"), "{{0}} and {{a}}}}");
    assert_eq!(message_text("none"), "none");
}

#[test]
fn a_rule_name_is_the_rule_id_in_pascal_case() {
    let mut c = CheckResult::sample("4.1.1", State::Fail);
    c.rule = "kubelet-config-mode-644".into();
    assert_eq!(rule_name(&c), "KubeletConfigMode644");
    c.rule = String::new();
    assert_eq!(rule_name(&c), "Check4.1.1");
}

fn node(name: &str, state: State, source: &str) -> NodeResult {
    NodeResult {
        node: name.into(),
        state,
        actual: "--profiling=true".into(),
        expected: "--profiling is false".into(),
        source: source.into(),
        reason: None,
        audit: String::new(),
    }
}

fn report(results: Vec<CheckResult>) -> Report {
    Report {
        benchmark: "cis-1.11".into(),
        benchmark_title: "CIS \"K8s\"".into(),
        benchmark_reason: None,
        kubernetes_version: Some("1.30.4".into()),
        nodes: vec!["a".into()],
        excluded: Vec::new(),
        provider: None,
        mode: None,
        scored_only: false,
        summary: Summary::of(&results),
        results,
    }
}

fn ctx() -> ExportContext {
    ExportContext {
        report_id: None,
        scan_id: uuid::Uuid::nil(),
        cluster: Some("prod/eu".into()),
        cluster_name: Some("Prod EU".into()),
        started_at: chrono::Utc::now(),
        finished_at: chrono::Utc::now(),
    }
}

fn sarif(r: &Report) -> Value {
    let mut out = Vec::new();
    render(&mut Sarif::new(ctx()), &r.head(), &r.results, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn one_rule_per_check_and_one_result_per_fail_warn_or_error_node() {
    let hostile = "n\"o}d{e\n\\";
    let mut a = CheckResult::sample("1.1.1", State::Fail);
    a.nodes = vec![
        node(hostile, State::Fail, "file /etc/my manifests/x.yaml"),
        node("b", State::Pass, "file /etc/x.yaml"),
    ];
    let mut b = CheckResult::sample("1.1.2", State::Pass);
    b.nodes = vec![node("a", State::Pass, "process 1 (kubelet)")];
    let mut c = CheckResult::sample("1.1.3", State::Error);
    c.nodes = vec![
        node("a", State::Error, "process 1 (kubelet)"),
        node("b", State::Warn, ""),
        node("c", State::Skip, ""),
        node("d", State::NotApplicable, ""),
    ];
    let doc = sarif(&report(vec![a, b, c]));
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1.1.1", "1.1.2", "1.1.3"]);
    let results = run["results"].as_array().unwrap();
    let got: Vec<(&str, u64, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["ruleIndex"].as_u64().unwrap(),
                r["level"].as_str().unwrap(),
                r["properties"]["node"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("1.1.1", 0, "error", hostile),
            ("1.1.3", 2, "error", "a"),
            ("1.1.3", 2, "warning", "b")
        ]
    );
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "file:///etc/my%20manifests/x.yaml");
    let logical = &results[1]["locations"][0]["logicalLocations"][0];
    assert_eq!(logical["fullyQualifiedName"], "prod/eu/a/kubelet");
    // no file in the evidence: the artifact is the node and component under the NODE base
    let artifact = &results[1]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "a/kubelet");
    assert_eq!(artifact["uriBaseId"], "NODE");
    assert!(run["originalUriBaseIds"]["NODE"]["description"]["text"].is_string());
    assert_eq!(
        run["automationDetails"]["id"],
        format!("cis-scan/prod%2Feu/{}", uuid::Uuid::nil())
    );
    assert_eq!(run["properties"]["clusterName"], "Prod EU");
}

#[test]
fn a_results_message_is_the_evidence_with_braces_doubled() {
    let mut c = CheckResult::sample("1.2.1", State::Warn);
    let mut n = node("a", State::Warn, "file /etc/x");
    n.actual = "{\"x\": 1}".into();
    n.reason = Some("unscored check would fail".into());
    c.nodes = vec![n];
    let doc = sarif(&report(vec![c]));
    let text = doc["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(text.contains("actual: {{\"x\": 1}}"), "{text}");
    assert!(text.contains("expected: --profiling is false"), "{text}");
    assert!(text.contains("source: file /etc/x"), "{text}");
    assert!(text.contains("reason: unscored check would fail"), "{text}");
}

#[test]
fn a_report_without_checks_has_empty_rules_and_results() {
    let doc = sarif(&report(Vec::new()));
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"], json!([]));
    assert_eq!(run["results"], json!([]));
    assert_eq!(run["tool"]["driver"]["name"], "cis-scan");
}

#[test]
fn a_second_pass_over_other_checks_is_an_error_not_a_document() {
    let r = report(vec![CheckResult::sample("1.1.1", State::Fail)]);
    let mut s = Sarif::new(ctx());
    let mut out = Vec::new();
    s.begin(&r.head(), &mut out).unwrap();
    s.check(&r.results[0], &mut out).unwrap();
    assert_eq!(s.end_pass(&mut out).unwrap(), Next::Again);
    // the report lost its check between the passes
    assert!(s.end_pass(&mut out).is_err());
}
