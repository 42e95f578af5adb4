//! promtool (Debian's prometheus package, installed by .ci/setup) checks both rule
//! files, runs the rules' unit tests, and parses every dashboard query; the
//! PrometheusRule and the plain rules file hold the same groups; every runbook
//! link points at a README heading.

use crate::monitoring::rules::{dashboard_queries, repo_file, yaml};
use std::path::{Path, PathBuf};
use std::process::Command;

/// promtool on PATH, or a failure saying how to get it: never a silent pass.
fn promtool() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("promtool"))
            .find(|p| p.is_file())
    });
    found.expect(
        "promtool is not installed: run `bash .ci/setup` (it installs Debian's prometheus package, which ships promtool)",
    )
}

/// Runs promtool with these arguments from the repository root; panics with its output unless it succeeds.
fn run(args: &[&str]) -> String {
    let out = Command::new(promtool())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("promtool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?} failed:\n{text}");
    text
}

fn write_temp(dir: &Path, name: &str, v: &serde_json::Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

#[test]
fn promtool_checks_both_rule_files() {
    let out = run(&["check", "rules", "deploy/monitoring/cis-scan.rules.yaml"]);
    assert!(out.contains("SUCCESS: 5 rules found"), "{out}");
    // the PrometheusRule's spec is a rules file (JSON is YAML)
    let dir = tempfile::TempDir::new().unwrap();
    let spec = yaml("deploy/monitoring/prometheusrule.yaml")["spec"].clone();
    let file = write_temp(dir.path(), "prometheusrule-spec.yaml", &spec);
    let out = run(&["check", "rules", &file]);
    assert!(out.contains("SUCCESS: 5 rules found"), "{out}");
}

#[test]
fn promtool_unit_tests_of_the_rules_pass() {
    let out = run(&[
        "test",
        "rules",
        "tests/api/fixtures/monitoring/rules_test.yaml",
    ]);
    assert!(out.contains("SUCCESS"), "{out}");
}

#[test]
fn every_dashboard_query_is_valid_promql() {
    // as recording rules, with Grafana's variables given values
    let rules: Vec<serde_json::Value> = dashboard_queries()
        .iter()
        .enumerate()
        .map(|(i, (_, expr))| {
            let expr = expr
                .replace("$__rate_interval", "5m")
                .replace("$cluster", ".*");
            serde_json::json!({ "record": format!("dashboard:query_{i}"), "expr": expr })
        })
        .collect();
    let n = rules.len();
    let doc = serde_json::json!({ "groups": [{ "name": "dashboard", "rules": rules }] });
    let dir = tempfile::TempDir::new().unwrap();
    let file = write_temp(dir.path(), "dashboard.yaml", &doc);
    let out = run(&["check", "rules", &file]);
    assert!(out.contains(&format!("SUCCESS: {n} rules found")), "{out}");
}

#[test]
fn the_prometheusrule_holds_the_same_groups_as_the_rules_file() {
    let plain = yaml("deploy/monitoring/cis-scan.rules.yaml");
    let operator = yaml("deploy/monitoring/prometheusrule.yaml");
    assert_eq!(operator["spec"]["groups"], plain["groups"]);
}

/// GitHub's anchor of a heading: lower case, spaces to '-', other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn every_alert_has_a_runbook_at_a_readme_heading() {
    let readme = repo_file("README.md");
    let anchors: Vec<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|h| anchor(h.trim_start_matches('#')))
        .collect();
    let plain = yaml("deploy/monitoring/cis-scan.rules.yaml");
    for rule in plain["groups"][0]["rules"].as_array().unwrap() {
        let alert = rule["alert"].as_str().unwrap();
        let url = rule["annotations"]["runbook_url"]
            .as_str()
            .unwrap_or_else(|| panic!("{alert}: no runbook_url"));
        let (page, fragment) = url.split_once('#').expect("a runbook URL with a fragment");
        assert!(page.ends_with("/README.md"), "{url}");
        assert!(
            anchors.iter().any(|a| a == fragment),
            "{alert}: no README heading with anchor #{fragment}"
        );
        assert_eq!(
            fragment,
            alert.to_lowercase(),
            "{alert}: the runbook is the alert's own section"
        );
    }
}

#[actix_web::test]
async fn promtool_lints_a_real_metrics_answer_clean_but_for_rancher_s_names() {
    let app = crate::support::app::spawn_app().await;
    app.scan_to_end("demo").await;
    let text = app.admin_text("/metrics").await;
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    // cis-operator's names, kept for its users' rules, break two naming conventions
    let legacy = [
        "_num_scans_complete counter metrics",
        "_num_tests_total non-counter metrics",
    ];
    let other: Vec<&str> = said
        .lines()
        .filter(|l| !l.trim().is_empty() && !legacy.iter().any(|k| l.contains(k)))
        .collect();
    assert!(other.is_empty(), "promtool check metrics:\n{said}");
    assert!(
        said.contains("cis_scan_num_scans_complete"),
        "the lint ran: {said}"
    );
}
