//! Configuration files the API server names (encryption configuration, audit
//! policy): parsing never panics, a parse error says where and never what, no
//! key reaches the facts, and whatever is recorded can be evaluated.

use super::{arb_mutated, arb_text_edit};
use crate::engine::benchmark::Catalog;
use crate::engine::collect::{parse_content, read_audit_policy, read_encryption};
use crate::engine::facts::{
    AuditPolicyFacts, ContentStatus, EncryptionFacts, NodeFacts, SCHEMA_VERSION,
};
use proptest::prelude::*;
use std::sync::LazyLock;

const ENCRYPTION: &str =
    include_str!("../../tests/api/fixtures/node-config/encryption-events-plain-then-wildcard.yaml");
const AUDIT: &str = include_str!("../../tests/api/fixtures/node-config/audit-policy-good.yaml");
/// The key in the encryption fixture: it must never be recorded.
const KEY: &str = "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=";

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("embedded"));

fn doc(text: &str) -> serde_json::Value {
    parse_content(text).expect("fixtures parse")
}

/// Records `doc` as the node's encryption configuration and audit policy, and
/// evaluates every check of the newest benchmark on it.
fn record_and_evaluate(doc: &serde_json::Value) -> String {
    let mut enc = EncryptionFacts {
        path: "/enc.yaml".into(),
        status: Some(ContentStatus::Parsed),
        ..Default::default()
    };
    read_encryption(&mut enc, doc);
    let mut audit = AuditPolicyFacts {
        path: "/audit.yaml".into(),
        ..Default::default()
    };
    read_audit_policy(&mut audit, doc);
    let mut facts = NodeFacts {
        schema_version: SCHEMA_VERSION,
        node: "n".into(),
        encryption: Some(enc),
        audit_policy: Some(audit),
        ..Default::default()
    };
    facts.components.insert(
        "apiserver".into(),
        crate::engine::facts::ComponentFacts {
            embedded_in: None,
            embedded_defaults_known: false,
            process: Some(crate::engine::facts::ProcessFacts {
                pid: 1,
                cmdline: vec!["kube-apiserver".into()],
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let benchmark = CATALOG.select(None, None).expect("a benchmark");
    let json = serde_json::to_string(&facts).expect("facts serialise");
    let report = crate::engine::eval::evaluate(&benchmark, &[facts], &[]);
    assert_eq!(report.results.len(), benchmark.checks.len());
    json
}

proptest! {
    #[test]
    fn proptest_content_broken_text_errors_say_where_not_what(text in arb_text_edit(ENCRYPTION)) {
        match parse_content(&text) {
            Ok(v) => { record_and_evaluate(&v); }
            Err(e) => prop_assert!(
                e.starts_with("malformed YAML (parse error") && !e.contains(KEY),
                "{e}"
            ),
        }
    }

    #[test]
    fn proptest_content_mutated_encryption_config_keeps_no_key(v in arb_mutated(doc(ENCRYPTION))) {
        let json = record_and_evaluate(&v);
        prop_assert!(!json.contains(KEY));
    }

    #[test]
    fn proptest_content_mutated_audit_policy(v in arb_mutated(doc(AUDIT))) {
        record_and_evaluate(&v);
    }
}
