//! The shipped definitions load, cover every version, and bad files are refused clearly.

use cis_scan::engine::benchmark::Catalog;
use std::collections::HashSet;

#[test]
fn every_version_loads_with_the_public_check_counts() {
    let c = Catalog::embedded().unwrap();
    let all = c.all().unwrap();
    let counts: Vec<(String, usize)> = all
        .iter()
        .filter(|b| b.id.starts_with("cis-"))
        .map(|b| (b.id.clone(), b.checks.len()))
        .collect();
    // Rancher's RKE2 and k3s files carry as many checks as the generic ones, except 1.11 (132)
    for (id, n) in [
        ("rke2-cis-1.8-hardened", 130),
        ("rke2-cis-1.8-permissive", 130),
        ("rke2-cis-1.9", 130),
        ("rke2-cis-1.10", 130),
        ("rke2-cis-1.11", 132),
        ("rke2-cis-1.12", 131),
        ("k3s-cis-1.8-hardened", 130),
        ("k3s-cis-1.8-permissive", 130),
        ("k3s-cis-1.9", 130),
        ("k3s-cis-1.10", 130),
        ("k3s-cis-1.11", 132),
        ("k3s-cis-1.12", 131),
    ] {
        assert_eq!(c.get(id).unwrap().checks.len(), n, "{id}");
    }
    assert_eq!(
        counts,
        vec![
            ("cis-1.8".into(), 130),
            ("cis-1.9".into(), 130),
            ("cis-1.10".into(), 130),
            ("cis-1.11".into(), 133),
            ("cis-1.12".into(), 131),
            ("cis-2.0".into(), 131)
        ]
    );
    for b in &all {
        let ids: HashSet<_> = b.checks.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), b.checks.len(), "{}: duplicate ids", b.id);
        for check in &b.checks {
            assert!(!check.rule.remediation.is_empty());
            assert!(["1", "2", "3", "4", "5"].contains(&check.section.as_str()));
        }
    }
    // id shifts between versions map to the same rule
    let v18 = c.get("cis-1.8").unwrap();
    let v19 = c.get("cis-1.9").unwrap();
    assert_eq!(v18.check("1.2.16").unwrap().rule.id, "apiserver-profiling");
    assert_eq!(v19.check("1.2.15").unwrap().rule.id, "apiserver-profiling");
    assert_eq!(v18.check("1.1.20").unwrap().rule.id, "pki-cert-mode-600");
    assert_eq!(
        c.get("cis-1.12").unwrap().check("1.1.20").unwrap().rule.id,
        "pki-cert-mode-644"
    );
}

#[test]
fn kubernetes_version_mapping() {
    let c = Catalog::embedded().unwrap();
    let pick = |v: &str| c.for_kubernetes_version(v).map(|b| b.id.clone());
    assert_eq!(pick("1.26").unwrap(), "cis-1.8");
    assert_eq!(pick("v1.27.4").unwrap(), "cis-1.9");
    assert_eq!(pick("1.28").unwrap(), "cis-1.10");
    assert_eq!(pick("1.29").unwrap(), "cis-1.11");
    assert_eq!(pick("1.31.1").unwrap(), "cis-1.11");
    assert_eq!(pick("1.32").unwrap(), "cis-1.12");
    assert_eq!(pick("1.33").unwrap(), "cis-1.12");
    assert_eq!(pick("1.34").unwrap(), "cis-2.0");
    assert_eq!(pick("1.35").unwrap(), "cis-2.0");
    assert_eq!(
        pick("1.37").unwrap(),
        "cis-2.0",
        "newer than every scope: the newest"
    );
    let old = pick("1.25").unwrap_err().to_string();
    assert!(old.contains("1.26 and newer"), "{old}");
    assert!(pick("banana")
        .unwrap_err()
        .to_string()
        .contains("not a Kubernetes version"));
    assert_eq!(
        c.select(Some("cis-1.9"), Some("1.32")).unwrap().id,
        "cis-1.9",
        "--benchmark overrides"
    );
    assert!(c
        .get("cis-9")
        .unwrap_err()
        .to_string()
        .contains("available: cis-1.8"));
}

fn custom_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::TempDir::new().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

const CUSTOM: &str = "id: acme-1\ntitle: ACME hardening\nkubernetes: {min: \"1.30\"}\nsections:\n  - {id: \"1\", title: Control plane, target: master}\nchecks:\n  - {id: \"1.1\", rule: apiserver-profiling}\n  - {id: \"1.2\", rule: acme-audit}\n";
const CUSTOM_RULES: &str = "rules:\n  - id: acme-audit\n    title: Audit logs are kept\n    component: apiserver\n    test: {flag: --audit-log-maxage, gte: 90}\n    remediation: Keep audit logs for 90 days.\n";

#[test]
fn custom_benchmark_directory() {
    let d = custom_dir(&[("acme.yaml", CUSTOM), ("rules/acme.yaml", CUSTOM_RULES)]);
    let c = cis_scan::engine::definitions::load_dir(d.path()).unwrap();
    let b = c.get("acme-1").unwrap();
    assert_eq!(b.checks.len(), 2);
    assert_eq!(b.check("1.2").unwrap().title, "Audit logs are kept");
    assert!(
        c.get("cis-1.8").is_ok(),
        "built-in benchmarks stay available"
    );
}

#[test]
fn malformed_definitions_name_file_check_and_problem() {
    let cases: &[(&str, &str, &str)] = &[
        (
            CUSTOM_RULES.replace("gte: 90", "gte: 90, eq: \"1\"").leak(),
            "acme-audit",
            "more than one comparison",
        ),
        (
            CUSTOM_RULES
                .replace("component: apiserver", "component: toaster")
                .leak(),
            "acme-audit",
            "unknown component 'toaster'",
        ),
        (
            CUSTOM_RULES
                .replace(
                    "test: {flag: --audit-log-maxage, gte: 90}",
                    "test: {file: nowhere, mode: \"600\"}",
                )
                .leak(),
            "acme-audit",
            "unknown file 'nowhere'",
        ),
        (
            CUSTOM_RULES
                .replace(
                    "test: {flag: --audit-log-maxage, gte: 90}",
                    "test: {file: pki, mode: \"999\"}",
                )
                .leak(),
            "acme-audit",
            "not an octal permission",
        ),
        (
            CUSTOM_RULES
                .replace(
                    "test: {flag: --audit-log-maxage, gte: 90}",
                    "test: {flag: audit, set: true}",
                )
                .leak(),
            "acme-audit",
            "must start with --",
        ),
        (
            CUSTOM_RULES
                .replace("    title: Audit logs are kept\n", "")
                .leak(),
            "(file)",
            "title",
        ),
    ];
    for (rules, check, needle) in cases {
        let d = custom_dir(&[("acme.yaml", CUSTOM), ("rules/acme.yaml", rules)]);
        let err = cis_scan::engine::definitions::load_dir(d.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("rules/acme.yaml"), "{err}");
        assert!(err.contains(check), "{err}");
        assert!(err.contains(needle), "{err}");
    }
    let bad_check = CUSTOM.replace("rule: apiserver-profiling", "rule: no-such-rule");
    let d = custom_dir(&[("acme.yaml", &bad_check), ("rules/acme.yaml", CUSTOM_RULES)]);
    let err = cis_scan::engine::definitions::load_dir(d.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("acme.yaml: 1.1: unknown rule 'no-such-rule'"),
        "{err}"
    );
    let dup = CUSTOM.replace("id: \"1.2\"", "id: \"1.1\"");
    let d = custom_dir(&[("acme.yaml", &dup), ("rules/acme.yaml", CUSTOM_RULES)]);
    assert!(cis_scan::engine::definitions::load_dir(d.path())
        .unwrap_err()
        .to_string()
        .contains("1.1: check id appears twice"));
}

#[test]
fn a_misspelt_policy_name_is_a_load_error_naming_file_and_rule() {
    let rules = "rules:\n  - id: acme-admins\n    title: Few cluster admins\n    component: cluster\n    test: {policy: cluster-admin-binding}\n    remediation: Bind fewer admins.\n";
    let d = custom_dir(&[("acme.yaml", CUSTOM), ("rules/acme.yaml", rules)]);
    let err = cis_scan::engine::definitions::load_dir(d.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("rules/acme.yaml"), "{err}");
    assert!(err.contains("acme-admins"), "{err}");
    assert!(
        err.contains("unknown policy 'cluster-admin-binding'"),
        "{err}"
    );
}
