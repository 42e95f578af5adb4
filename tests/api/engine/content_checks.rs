//! Checks whose CIS audit asks about a file's content: the encryption
//! configuration (1.2.28/1.2.29 in cis-1.8) and the audit policy (3.2.1); and
//! EventRateLimit (1.2.9), whose audit asks only for the plugin, with the limits
//! of its admission configuration as a note; on kubeadm control planes whose API
//! server names real-world configuration files.

use crate::support::hostroot::HostRoot;
use crate::support::kubeadm;
use crate::support::{result, state};
use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::eval::evaluate;
use cis_scan::engine::report::{NodeResult, Report, State};

const DIR: &str = "/etc/kubernetes/config";

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/api/fixtures/node-config")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

/// A kubeadm control plane whose API server also runs with `extra` flags and
/// has `files` (fixture name → file name under /etc/kubernetes/config).
fn control_plane(extra: &[String], files: &[(&str, &str)]) -> HostRoot {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let mut api: Vec<&str> = kubeadm::APISERVER.to_vec();
    api.extend(extra.iter().map(String::as_str));
    h.process(101, &api);
    for (fixture_name, file) in files {
        h.file(&format!("{DIR}/{file}"), &fixture(fixture_name), 0o600);
    }
    h
}

fn flag(name: &str, file: &str) -> String {
    format!("--{name}={DIR}/{file}")
}

fn eval(benchmark: &str, h: &HostRoot) -> Report {
    let catalog = Catalog::embedded().unwrap();
    evaluate(&catalog.get(benchmark).unwrap(), &[h.collect("cp-1")], &[])
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeResult {
    &result(r, id).nodes[0]
}

fn reason<'a>(r: &'a Report, id: &str) -> &'a str {
    node(r, id).reason.as_deref().unwrap_or("")
}

fn encryption(fixture_name: &str) -> Report {
    let h = control_plane(
        &[flag("encryption-provider-config", "enc.yaml")],
        &[(fixture_name, "enc.yaml")],
    );
    eval("cis-1.8", &h)
}

#[test]
fn identity_only_encryption_config_is_not_judged_appropriate() {
    let r = encryption("encryption-identity-only.yaml");
    for id in ["1.2.28", "1.2.29"] {
        assert_eq!(state(&r, id), State::Warn, "{id}: {:?}", node(&r, id));
        assert!(
            reason(&r, id).contains("identity first for secrets"),
            "{id}: {}",
            reason(&r, id)
        );
    }
    assert!(
        reason(&r, "1.2.28").contains("kube-bench passes once --encryption-provider-config is set")
    );
}

#[test]
fn encryption_config_covering_only_configmaps_says_secrets_not_covered() {
    let r = encryption("encryption-configmaps-only.yaml");
    for id in ["1.2.28", "1.2.29"] {
        assert_eq!(state(&r, id), State::Warn, "{id}");
        assert!(
            reason(&r, id).contains("secrets not covered"),
            "{id}: {}",
            reason(&r, id)
        );
    }
}

#[test]
fn aescbc_encryption_config_passes_both_checks() {
    let r = encryption("encryption-aescbc.yaml");
    for id in ["1.2.28", "1.2.29"] {
        assert_eq!(state(&r, id), State::Pass, "{id}: {:?}", node(&r, id));
        assert_eq!(
            node(&r, id).actual,
            "providers for secrets: aescbc, identity"
        );
    }
}

#[test]
fn kms_v2_encryption_config_passes_and_names_the_version() {
    let r = encryption("encryption-kms-v2.yaml");
    assert_eq!(state(&r, "1.2.28"), State::Pass);
    assert_eq!(
        node(&r, "1.2.29").actual,
        "providers for secrets: kms v2, identity"
    );
}

#[test]
fn an_earlier_resource_list_and_the_wildcard_decide_for_secrets() {
    // events (plain) come first, but only *.* covers secrets: secretbox
    let r = encryption("encryption-events-plain-then-wildcard.yaml");
    assert_eq!(state(&r, "1.2.28"), State::Pass, "{:?}", node(&r, "1.2.28"));
    assert_eq!(
        node(&r, "1.2.29").actual,
        "providers for secrets: secretbox, identity"
    );
}

#[test]
fn malformed_encryption_config_is_error_with_line_and_no_key() {
    let r = encryption("encryption-malformed.yaml");
    for id in ["1.2.28", "1.2.29"] {
        assert_eq!(state(&r, id), State::Error, "{id}");
        assert!(
            reason(&r, id).contains("line 11"),
            "{id}: {}",
            reason(&r, id)
        );
        assert!(!reason(&r, id).contains("dGhpcy"), "{}", reason(&r, id));
    }
}

#[test]
fn missing_encryption_config_says_file_not_found() {
    let h = control_plane(&[flag("encryption-provider-config", "enc.yaml")], &[]);
    let r = eval("cis-1.8", &h);
    assert_eq!(state(&r, "1.2.28"), State::Warn);
    assert_eq!(node(&r, "1.2.28").actual, "file not found");
    assert!(
        reason(&r, "1.2.28").contains("file not found"),
        "{}",
        reason(&r, "1.2.28")
    );
}

#[test]
fn unreadable_encryption_config_is_error() {
    let h = control_plane(&[flag("encryption-provider-config", "enc.yaml")], &[]);
    h.dir(&format!("{DIR}/enc.yaml"), 0o700);
    let r = eval("cis-1.8", &h);
    assert_eq!(state(&r, "1.2.28"), State::Error);
    assert!(
        reason(&r, "1.2.28").contains("unreadable"),
        "{}",
        reason(&r, "1.2.28")
    );
}

#[test]
fn collected_facts_keep_no_key_material() {
    for f in [
        "encryption-aescbc.yaml",
        "encryption-events-plain-then-wildcard.yaml",
    ] {
        let h = control_plane(
            &[flag("encryption-provider-config", "enc.yaml")],
            &[(f, "enc.yaml")],
        );
        let json = serde_json::to_string(&h.collect("cp-1")).unwrap();
        assert!(json.contains("\"secretProviders\""), "{f}");
        for key in ["dGhpcyBpcyBh", "YWJjZGVmZ2hp", "key1"] {
            assert!(!json.contains(key), "{f} leaks {key}");
        }
    }
}

#[test]
fn every_benchmark_version_judges_the_encryption_flag_by_its_file() {
    let h = control_plane(
        &[flag("encryption-provider-config", "enc.yaml")],
        &[("encryption-identity-only.yaml", "enc.yaml")],
    );
    for b in ["cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12"] {
        let r = eval(b, &h);
        for id in ["1.2.27", "1.2.28"] {
            assert_eq!(state(&r, id), State::Warn, "{b} {id}");
            assert!(reason(&r, id).contains("identity first"), "{b} {id}");
        }
    }
}

fn audit(fixture_name: &str) -> Report {
    let h = control_plane(
        &[flag("audit-policy-file", "audit.yaml")],
        &[(fixture_name, "audit.yaml")],
    );
    eval("cis-1.8", &h)
}

#[test]
fn audit_policy_without_rules_is_not_a_minimal_policy() {
    let r = audit("audit-policy-empty.yaml");
    assert_eq!(state(&r, "3.2.1"), State::Warn);
    assert!(
        reason(&r, "3.2.1").contains("no rules"),
        "{}",
        reason(&r, "3.2.1")
    );
    assert!(reason(&r, "3.2.1").contains("kube-bench passes once --audit-policy-file is set"));
}

#[test]
fn audit_policy_with_logging_rules_passes() {
    let r = audit("audit-policy-good.yaml");
    assert_eq!(state(&r, "3.2.1"), State::Pass, "{:?}", node(&r, "3.2.1"));
    assert!(node(&r, "3.2.1")
        .actual
        .starts_with("audit Policy with 5 rules"));
}

#[test]
fn a_file_that_is_not_an_audit_policy_fails_the_audit_check() {
    let r = audit("encryption-aescbc.yaml");
    assert_eq!(state(&r, "3.2.1"), State::Warn);
    assert!(
        reason(&r, "3.2.1").contains("not an audit.k8s.io Policy"),
        "{}",
        reason(&r, "3.2.1")
    );
}

#[test]
fn missing_audit_policy_file_says_file_not_found() {
    let h = control_plane(&[flag("audit-policy-file", "audit.yaml")], &[]);
    let r = eval("cis-1.8", &h);
    assert_eq!(node(&r, "3.2.1").actual, "file not found");
}

fn rate_limit(extra: &[String], files: &[(&str, &str)]) -> Report {
    let mut flags = vec!["--enable-admission-plugins=NodeRestriction,EventRateLimit".to_string()];
    flags.extend(extra.iter().cloned());
    eval("cis-1.8", &control_plane(&flags, files))
}

#[test]
fn event_rate_limit_with_limits_in_its_own_file_passes() {
    let r = rate_limit(
        &[flag("admission-control-config-file", "admission.yaml")],
        &[
            ("admission-event-rate-limit.yaml", "admission.yaml"),
            ("eventconfig.yaml", "eventconfig.yaml"),
        ],
    );
    assert_eq!(state(&r, "1.2.9"), State::Pass, "{:?}", node(&r, "1.2.9"));
    assert!(reason(&r, "1.2.9").contains("Server qps=50 burst=100; Namespace qps=10 burst=50"));
}

#[test]
fn event_rate_limit_configured_inline_passes() {
    let inline = fixture("admission-event-rate-limit.yaml").replace(
        "    path: eventconfig.yaml\n",
        "    configuration:\n      kind: Configuration\n      limits:\n        - {type: User, qps: 5, burst: 20}\n",
    );
    let h = control_plane(
        &[
            "--enable-admission-plugins=EventRateLimit".to_string(),
            flag("admission-control-config-file", "admission.yaml"),
        ],
        &[],
    );
    h.file(&format!("{DIR}/admission.yaml"), &inline, 0o600);
    let r = eval("cis-1.8", &h);
    assert_eq!(state(&r, "1.2.9"), State::Pass, "{:?}", node(&r, "1.2.9"));
    assert!(reason(&r, "1.2.9").contains("User qps=5 burst=20"));
}

#[test]
fn admission_config_without_event_rate_limit_passes_with_a_note() {
    // the audit asks only for the plugin; the limits are the remediation's
    let r = rate_limit(
        &[flag("admission-control-config-file", "admission.yaml")],
        &[("admission-pod-security-only.yaml", "admission.yaml")],
    );
    assert_eq!(state(&r, "1.2.9"), State::Pass);
    assert!(
        reason(&r, "1.2.9").contains("note: the audit asks only for the plugin; the remediation also gives it limits, and here: the admission configuration does not configure EventRateLimit"),
        "{}",
        reason(&r, "1.2.9")
    );
}

#[test]
fn event_rate_limit_enabled_without_admission_config_passes_with_a_note() {
    let r = rate_limit(&[], &[]);
    assert_eq!(state(&r, "1.2.9"), State::Pass);
    assert!(reason(&r, "1.2.9").contains("--admission-control-config-file is not set"));
}

#[test]
fn event_rate_limit_not_enabled_fails_whatever_its_configuration() {
    let h = control_plane(
        &[flag("admission-control-config-file", "admission.yaml")],
        &[
            ("admission-event-rate-limit.yaml", "admission.yaml"),
            ("eventconfig.yaml", "eventconfig.yaml"),
        ],
    );
    let r = eval("cis-1.8", &h);
    assert_eq!(state(&r, "1.2.9"), State::Warn, "unscored in cis-1.8");
    assert!(node(&r, "1.2.9").actual.starts_with("not enabled"));
}

#[test]
fn k3s_secrets_encryption_is_judged_by_the_file_k3s_writes() {
    let h = HostRoot::new();
    h.file("/etc/rancher/k3s/config.yaml", "secrets-encryption: true\n", 0o600)
        .file(
            "/var/lib/rancher/k3s/server/cred/encryption-config.json",
            r#"{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"aescbckey","secret":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}},{"identity":{}}]}]}"#,
            0o600,
        )
        .process(1, &["/usr/local/bin/k3s server", ""]);
    let r = eval("cis-1.12", &h);
    assert_eq!(state(&r, "1.2.27"), State::Pass, "{:?}", node(&r, "1.2.27"));
    assert_eq!(
        node(&r, "1.2.28").actual,
        "providers for secrets: aescbc, identity"
    );
}
