//! Verdicts on the content of files the API server names: the encryption
//! configuration, the audit policy and EventRateLimit's admission configuration.
//! A named file that is missing or says too little FAILs with what is missing;
//! one that cannot be read or parsed is ERROR, never a guess.

use super::Outcome;
use crate::engine::facts::{
    covers_secrets, AdmissionConfigFacts, AuditPolicyFacts, ContentStatus, EncryptionFacts,
};
use crate::engine::report::State;

/// Outcome of a named file that could not be judged: FAIL when it is not
/// there, ERROR when it is there but unreadable or malformed.
fn unusable(
    status: ContentStatus,
    error: Option<&str>,
    expected: &str,
    path: &str,
) -> Option<Outcome> {
    let reason = error.unwrap_or("no detail").to_string();
    let (state, actual) = match status {
        ContentStatus::Parsed => return None,
        ContentStatus::NotFound => (State::Fail, "file not found"),
        ContentStatus::Unreadable => (State::Error, "file unreadable"),
        ContentStatus::Malformed => (State::Error, "file malformed"),
    };
    Some(Outcome::new(state, actual, expected, &format!("file {path}")).because(reason))
}

/// The provider's kind without kms's version ("kms v2" → "kms").
fn kind(provider: &str) -> &str {
    provider.split_whitespace().next().unwrap_or(provider)
}

/// Secrets are encrypted: the file exists, parses, covers secrets, and its first
/// provider for them is one of `allowed` (aescbc, aesgcm, kms, secretbox).
pub fn encryption(facts: Option<&EncryptionFacts>, allowed: &[String]) -> Outcome {
    let expected = format!(
        "secrets encrypted first with one of: {}",
        allowed.join(", ")
    );
    let Some(e) = facts else {
        return Outcome::new(
            State::Fail,
            "no encryption configuration",
            &expected,
            "kube-apiserver arguments",
        )
        .because(
            "--encryption-provider-config is not set, so secrets are stored unencrypted".into(),
        );
    };
    if let Some(o) = unusable(e.status(), e.error.as_deref(), &expected, &e.path) {
        return o.beyond_flags();
    }
    let source = format!("file {}", e.path);
    let Some(first) = e.secret_providers.first() else {
        let listed = e
            .resources
            .iter()
            .any(|r| r.resources.iter().any(|s| covers_secrets(s)));
        let (actual, reason) = if listed {
            (
                "no providers for secrets",
                "the resource list that covers secrets has no providers",
            )
        } else {
            (
                "secrets not covered",
                "secrets not covered: no resource list names secrets, *. or *.*, so secrets are stored in plain text",
            )
        };
        return Outcome::new(State::Fail, actual, &expected, &source)
            .because(reason.into())
            .beyond_flags();
    };
    let actual = format!("providers for secrets: {}", e.secret_providers.join(", "));
    let outcome = if kind(first) == "identity" {
        Outcome::new(State::Fail, &actual, &expected, &source)
            .because("identity first for secrets: new secrets are written in plain text".into())
    } else if allowed.iter().any(|a| a == kind(first)) {
        let o = Outcome::new(State::Pass, &actual, &expected, &source);
        match first.as_str() {
            "kms v1" => o.because(
                "kms v1 is deprecated since Kubernetes 1.28; kms v2 replaces it".into(),
            ),
            // kube-bench accepts only aescbc, kms and secretbox: this pass is ours alone
            "aesgcm" => {
                return o.beyond_flags().because(
                    "aesgcm is safe only with automated key rotation: Kubernetes asks for a new key every 200,000 writes"
                        .into(),
                )
            }
            _ => o,
        }
    } else {
        Outcome::new(State::Fail, &actual, &expected, &source).because(format!(
            "the first provider for secrets is {first}, not one of {}",
            allowed.join(", ")
        ))
    };
    // a pass agrees with kube-bench; anything else is read from the file it does not read
    if outcome.state == State::Pass {
        outcome
    } else {
        outcome.beyond_flags()
    }
}

/// Audit levels an audit.k8s.io Policy rule may have.
const AUDIT_LEVELS: [&str; 4] = ["None", "Metadata", "Request", "RequestResponse"];

/// The audit policy exists, is an audit.k8s.io Policy and has a rule that logs.
pub fn audit_policy(facts: Option<&AuditPolicyFacts>) -> Outcome {
    let expected = "an audit.k8s.io Policy with at least one rule that logs";
    let Some(a) = facts else {
        return Outcome::new(
            State::Fail,
            "--audit-policy-file not set",
            expected,
            "kube-apiserver arguments",
        )
        .because("--audit-policy-file is not set, so nothing is audited".into());
    };
    if let Some(o) = unusable(a.status, a.error.as_deref(), expected, &a.path) {
        return o.beyond_flags();
    }
    let source = format!("file {}", a.path);
    let is_policy = a.kind.as_deref() == Some("Policy")
        && a.api_version
            .as_deref()
            .is_some_and(|v| v.starts_with("audit.k8s.io/"));
    let fail = |actual: &str, reason: String| {
        Outcome::new(State::Fail, actual, expected, &source)
            .because(reason)
            .beyond_flags()
    };
    if !is_policy {
        return fail(
            "not an audit Policy",
            format!(
                "the file is not an audit.k8s.io Policy (apiVersion {}, kind {})",
                a.api_version.as_deref().unwrap_or("missing"),
                a.kind.as_deref().unwrap_or("missing")
            ),
        );
    }
    if a.rule_levels.is_empty() {
        return fail(
            "audit policy without rules",
            "the audit policy has no rules, so nothing is audited".into(),
        );
    }
    if let Some((i, bad)) = a
        .rule_levels
        .iter()
        .enumerate()
        .find(|(_, l)| !AUDIT_LEVELS.contains(&l.as_str()))
    {
        return fail(
            "invalid audit policy",
            format!(
                "rule {} has level '{bad}', not one of {}",
                i + 1,
                AUDIT_LEVELS.join(", ")
            ),
        );
    }
    let actual = format!(
        "audit Policy with {} rules (levels: {})",
        a.rule_levels.len(),
        a.rule_levels.join(", ")
    );
    if a.rule_levels.iter().all(|l| l == "None") {
        return fail(
            &actual,
            "every rule has level None, so nothing is audited".into(),
        );
    }
    Outcome::new(State::Pass, &actual, expected, &source).beyond_flags()
}

/// EventRateLimit has limits: the admission configuration exists, parses and
/// configures the plugin with at least one limit. (Whether the plugin is
/// enabled is judged beside this, by the plugin test.)
pub fn event_rate_limit(facts: Option<&AdmissionConfigFacts>) -> Outcome {
    let expected = "its limits configured in the admission configuration";
    let Some(a) = facts else {
        return Outcome::new(
            State::Fail,
            "--admission-control-config-file not set",
            expected,
            "kube-apiserver arguments",
        )
        .because(
            "--admission-control-config-file is not set, so EventRateLimit has no limits".into(),
        );
    };
    if let Some(o) = unusable(a.status, a.error.as_deref(), expected, &a.path) {
        return o.beyond_flags();
    }
    let source = format!("file {}", a.path);
    let Some(erl) = &a.event_rate_limit else {
        let listed = if a.plugins.is_empty() {
            "no plugins".to_string()
        } else {
            format!("plugins {}", a.plugins.join(", "))
        };
        return Outcome::new(
            State::Fail,
            &format!("EventRateLimit not configured ({listed})"),
            expected,
            &source,
        )
        .because("the admission configuration does not configure EventRateLimit".into())
        .beyond_flags();
    };
    if let Some(o) = unusable(erl.status, erl.error.as_deref(), expected, &erl.source) {
        return o.beyond_flags();
    }
    if erl.limits.is_empty() {
        return Outcome::new(
            State::Fail,
            "EventRateLimit without limits",
            expected,
            &source,
        )
        .because("EventRateLimit's configuration has no limits".into())
        .beyond_flags();
    }
    Outcome::new(
        State::Pass,
        &format!("EventRateLimit limits: {}", erl.limits.join("; ")),
        expected,
        &source,
    )
    .beyond_flags()
}

/// The note a check that EventRateLimit is enabled carries: the limits the admission
/// configuration gives it, or, since the remediation also asks for them, what is missing.
pub fn event_rate_limit_note(limits: &Outcome) -> String {
    if limits.state == State::Pass {
        return format!("note: {} ({})", limits.actual, limits.source);
    }
    format!(
        "note: the audit asks only for the plugin; the remediation also gives it limits, and here: {}",
        limits.reason.as_deref().unwrap_or(&limits.actual)
    )
}

#[cfg(test)]
#[path = "content_tests.rs"]
mod tests;
