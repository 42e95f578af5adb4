//! The kubeconfig policy: examples, then properties over arbitrary input
//! (`PROPTEST_CASES=10000 cargo test --lib kubeconfig_policy` for the long run).

use super::{check, MAX_KUBECONFIG_BYTES};
use crate::error::Error;
use proptest::prelude::*;
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": "c",
        "clusters": [{ "name": "k", "cluster": { "server": "https://10.0.0.1:6443", "certificate-authority-data": "Q0E=", "tls-server-name": "api" } }],
        "users": [{ "name": "u", "user": { "token": "t0ken", "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" } }],
        "contexts": [{ "name": "c", "context": { "cluster": "k", "user": "u", "namespace": "ns" } }]
    })
}

fn refusal(v: &Value) -> String {
    match check(&v.to_string()) {
        Err(Error::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_kubeconfig_with_only_accepted_fields_passes_and_is_usable() {
    let k = check(&base().to_string()).unwrap();
    let kc = k.kubeconfig().unwrap();
    assert_eq!(kc.current_context.as_deref(), Some("c"));
    assert_eq!(
        kc.clusters[0].cluster.as_ref().unwrap().server.as_deref(),
        Some("https://10.0.0.1:6443")
    );
}

#[test]
fn yaml_as_kubectl_writes_it_passes_with_extensions_dropped() {
    let yaml = "apiVersion: v1\nkind: Config\npreferences: {}\nclusters:\n- name: m\n  cluster:\n    server: https://192.168.49.2:8443\n    insecure-skip-tls-verify: false\n    extensions:\n    - name: cluster_info\n      extension:\n        provider: minikube.sigs.k8s.io\ncontexts:\n- name: m\n  context:\n    cluster: m\n    user: m\ncurrent-context: m\nusers:\n- name: m\n  user:\n    token: abc\n";
    let k = check(yaml).unwrap();
    assert!(!k.to_json().contains("minikube"), "{}", k.to_json());
}

#[test]
fn each_refused_user_field_is_named_with_its_place() {
    for (field, value) in [
        ("exec", json!({ "command": "sh", "args": ["-c", "id"] })),
        (
            "auth-provider",
            json!({ "name": "gcp", "config": { "cmd-path": "/bin/sh" } }),
        ),
        ("tokenFile", json!("/etc/passwd")),
        ("client-certificate", json!("/etc/cert")),
        ("client-key", json!("/etc/key")),
        ("username", json!("admin")),
        ("password", json!("hunter2")),
        ("as", json!("system:admin")),
        ("color", json!("blue")),
    ] {
        let mut v = base();
        v["users"][0]["user"][field] = value;
        let m = refusal(&v);
        assert!(
            m.starts_with(&format!(
                "users[0].user.{field} is not accepted through the API"
            )),
            "{m}"
        );
        assert!(
            !m.contains("hunter2") && !m.contains("/etc/passwd"),
            "value echoed: {m}"
        );
    }
}

#[test]
fn each_refused_cluster_field_is_named_with_its_place() {
    for (field, value) in [
        ("certificate-authority", json!("/etc/ca")),
        ("proxy-url", json!("http://proxy:3128")),
        ("insecure-skip-tls-verify", json!(true)),
        ("disable-compression", json!(true)),
    ] {
        let mut v = base();
        v["clusters"][0]["cluster"][field] = value;
        assert!(refusal(&v).starts_with(&format!("clusters[0].cluster.{field} is not accepted")));
    }
}

#[test]
fn unknown_fields_anywhere_are_refused() {
    let mut top = base();
    top["fancy"] = json!(1);
    assert!(refusal(&top).starts_with("fancy is not accepted"));
    let mut ctx = base();
    ctx["contexts"][0]["context"]["proxy"] = json!("x");
    assert!(refusal(&ctx).starts_with("contexts[0].context.proxy is not accepted"));
    let mut prefs = base();
    prefs["preferences"] = json!({ "colors": true });
    assert!(refusal(&prefs).starts_with("preferences is not accepted"));
}

#[test]
fn dangling_names_and_missing_parts_are_clear() {
    let mut v = base();
    v["contexts"][0]["context"]["user"] = json!("nobody");
    assert!(refusal(&v).contains("contexts[0].context.user names 'nobody'"));
    let mut v = base();
    v["current-context"] = json!("nope");
    assert!(refusal(&v).contains("current-context names 'nope'"));
    let mut v = base();
    v["clusters"][0]["cluster"]
        .as_object_mut()
        .unwrap()
        .remove("server");
    assert!(refusal(&v).contains("clusters[0].cluster.server is missing"));
    assert!(check(&base().to_string())
        .unwrap()
        .with_current_context("other")
        .is_err());
}

#[test]
fn oversized_multi_document_and_broken_yaml_are_refused_without_echo() {
    let big = "#".repeat(MAX_KUBECONFIG_BYTES + 1);
    assert!(check(&big)
        .unwrap_err()
        .to_string()
        .contains("bytes is more than"));
    let two = format!("{}\n---\n{}", base(), base());
    assert!(check(&two).is_err());
    let e = check("users: [ {token: s3cr3t-value")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("s3cr3t"), "{e}");
}

/// Keys a generator draws from: the kubeconfig's own vocabulary and some noise.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "apiVersion",
            "kind",
            "clusters",
            "users",
            "contexts",
            "current-context",
            "preferences",
            "extensions",
            "name",
            "cluster",
            "user",
            "context",
            "server",
            "token",
            "exec",
            "auth-provider",
            "tokenFile",
            "namespace",
            "certificate-authority-data",
            "proxy-url",
            "insecure-skip-tls-verify",
            "client-key-data",
            "command",
            "args",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z_-]{0,12}",
    ]
}

fn yamlish() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "v1",
            "Config",
            "https://10.0.0.1",
            "http://127.0.0.1:1",
            "c",
            "k",
            "u"
        ])
        .prop_map(|s| json!(s)),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every key in a value, at any depth.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            keys(x, out)
        }),
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

fn assert_outcome(text: &str) {
    match check(text) {
        Ok(k) => {
            let mut seen = Vec::new();
            keys(&serde_json::from_str(&k.to_json()).unwrap(), &mut seen);
            for bad in [
                "exec",
                "auth-provider",
                "tokenFile",
                "proxy-url",
                "extensions",
            ] {
                assert!(
                    !seen.iter().any(|s| s == bad),
                    "{bad} passed: {}",
                    k.to_json()
                );
            }
            // what passed passes again unchanged, and kube can read it
            assert_eq!(check(&k.to_json()).unwrap().to_json(), k.to_json());
            k.kubeconfig().unwrap();
        }
        Err(Error::Invalid(m)) => assert!(!m.is_empty()),
        Err(other) => panic!("not a user error: {other:?}"),
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        assert_outcome(&text);
    }

    #[test]
    fn arbitrary_structures_as_json_and_yaml_never_panic(v in yamlish()) {
        assert_outcome(&v.to_string());
        if let Ok(yaml) = serde_saphyr::to_string(&v) {
            assert_outcome(&yaml);
        }
    }

    #[test]
    fn a_refused_field_anywhere_in_a_user_is_named(field in prop::sample::select(vec!["exec", "auth-provider", "tokenFile", "client-key", "password"]), extra in yamlish()) {
        let mut v = base();
        v["users"][0]["user"][field] = extra;
        let m = refusal(&v);
        prop_assert!(m.contains(&format!("users[0].user.{field}")), "{}", m);
    }
}
