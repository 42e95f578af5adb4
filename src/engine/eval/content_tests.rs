//! Verdicts on configuration file content, from facts built by hand.

use super::*;
use crate::engine::facts::{EncryptionResourceFacts, EventRateLimitFacts};

fn allowed() -> Vec<String> {
    ["aescbc", "aesgcm", "kms", "secretbox"]
        .map(String::from)
        .to_vec()
}

fn parsed(providers: &[&str]) -> EncryptionFacts {
    let providers: Vec<String> = providers.iter().map(|p| p.to_string()).collect();
    EncryptionFacts {
        path: "/e.yaml".into(),
        status: Some(ContentStatus::Parsed),
        secret_providers: providers.clone(),
        resources: vec![EncryptionResourceFacts {
            resources: vec!["secrets".into()],
            providers,
        }],
        error: None,
    }
}

#[test]
fn identity_first_fails_with_the_reason() {
    let o = encryption(Some(&parsed(&["identity", "aescbc"])), &allowed());
    assert_eq!(o.state, State::Fail);
    assert!(o.reason.unwrap().starts_with("identity first for secrets"));
    assert!(o.beyond_flags);
}

#[test]
fn no_configuration_fails_without_blaming_the_file() {
    let o = encryption(None, &allowed());
    assert_eq!(o.state, State::Fail);
    assert!(!o.beyond_flags);
}

#[test]
fn a_covered_list_without_providers_says_so() {
    let o = encryption(Some(&parsed(&[])), &allowed());
    assert_eq!(
        (o.state, o.actual.as_str()),
        (State::Fail, "no providers for secrets")
    );
}

#[test]
fn old_facts_with_only_secret_providers_are_still_judged() {
    let mut e = parsed(&["secretbox"]);
    e.status = None;
    e.resources.clear();
    assert_eq!(encryption(Some(&e), &allowed()).state, State::Pass);
}

#[test]
fn kms_v1_passes_with_a_deprecation_note() {
    let o = encryption(Some(&parsed(&["kms v1"])), &allowed());
    assert_eq!(o.state, State::Pass);
    assert!(o.reason.unwrap().contains("deprecated"));
}

#[test]
fn aesgcm_passes_but_is_marked_as_beyond_kube_bench() {
    let o = encryption(Some(&parsed(&["aesgcm"])), &allowed());
    assert_eq!(o.state, State::Pass);
    assert!(o.beyond_flags);
    assert!(!encryption(Some(&parsed(&["aescbc"])), &allowed()).beyond_flags);
}

#[test]
fn unreadable_and_malformed_files_are_errors_and_missing_ones_fail() {
    for (status, want) in [
        (ContentStatus::Unreadable, State::Error),
        (ContentStatus::Malformed, State::Error),
        (ContentStatus::NotFound, State::Fail),
    ] {
        let e = EncryptionFacts {
            path: "/e.yaml".into(),
            status: Some(status),
            error: Some("why".into()),
            ..Default::default()
        };
        let o = encryption(Some(&e), &allowed());
        assert_eq!(o.state, want, "{status:?}");
        assert_eq!(o.reason.as_deref(), Some("why"));
    }
}

fn policy(levels: &[&str]) -> AuditPolicyFacts {
    AuditPolicyFacts {
        path: "/a.yaml".into(),
        api_version: Some("audit.k8s.io/v1".into()),
        kind: Some("Policy".into()),
        rule_levels: levels.iter().map(|l| l.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn a_policy_whose_rules_all_log_nothing_fails() {
    let o = audit_policy(Some(&policy(&["None", "None"])));
    assert_eq!(o.state, State::Fail);
    assert!(o.reason.unwrap().contains("level None"));
}

#[test]
fn a_rule_without_a_valid_level_fails() {
    let o = audit_policy(Some(&policy(&["Metadata", ""])));
    assert_eq!(o.state, State::Fail);
    assert!(o.reason.unwrap().starts_with("rule 2 has level ''"));
}

#[test]
fn a_policy_with_a_logging_rule_passes() {
    assert_eq!(
        audit_policy(Some(&policy(&["None", "Metadata"]))).state,
        State::Pass
    );
}

#[test]
fn event_rate_limit_without_limits_fails() {
    let a = AdmissionConfigFacts {
        path: "/adm.yaml".into(),
        plugins: vec!["EventRateLimit".into()],
        event_rate_limit: Some(EventRateLimitFacts {
            source: "inline".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let o = event_rate_limit(Some(&a));
    assert_eq!(o.state, State::Fail);
    assert!(o.reason.unwrap().contains("no limits"));
}

#[test]
fn an_unreadable_event_rate_limit_file_is_an_error() {
    let a = AdmissionConfigFacts {
        path: "/adm.yaml".into(),
        event_rate_limit: Some(EventRateLimitFacts {
            source: "/erl.yaml".into(),
            status: ContentStatus::Malformed,
            error: Some("line 3".into()),
            limits: vec![],
        }),
        ..Default::default()
    };
    assert_eq!(event_rate_limit(Some(&a)).state, State::Error);
}

#[test]
fn the_event_rate_limit_note_lists_the_limits_found() {
    let a = AdmissionConfigFacts {
        path: "/adm.yaml".into(),
        plugins: vec!["EventRateLimit".into()],
        event_rate_limit: Some(EventRateLimitFacts {
            source: "inline".into(),
            limits: vec!["Server qps=50 burst=100".into()],
            ..Default::default()
        }),
        ..Default::default()
    };
    let note = event_rate_limit_note(&event_rate_limit(Some(&a)));
    assert_eq!(
        note,
        "note: EventRateLimit limits: Server qps=50 burst=100 (file /adm.yaml)"
    );
}

#[test]
fn the_event_rate_limit_note_says_what_the_remediation_adds_when_limits_are_missing() {
    let note = event_rate_limit_note(&event_rate_limit(None));
    assert_eq!(
        note,
        "note: the audit asks only for the plugin; the remediation also gives it limits, and here: --admission-control-config-file is not set, so EventRateLimit has no limits"
    );
}
