use super::*;
use crate::engine::benchmark::Catalog;
use crate::engine::facts::{ComponentFacts, FileDigest, NodeFacts, ProcessFacts};

fn process(pid: u32, argv: &[&str]) -> ComponentFacts {
    ComponentFacts {
        process: Some(ProcessFacts {
            pid,
            cmdline: argv.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A node running etcd and, when `client_ca` is given, the API server.
fn node(etcd_ca: &str, client_ca: Option<&str>, digests: &[(&str, Option<&str>)]) -> NodeFacts {
    let mut f = NodeFacts {
        node: "cp-1".into(),
        ..Default::default()
    };
    let trusted = format!("--trusted-ca-file={etcd_ca}");
    f.components
        .insert("etcd".into(), process(10, &["etcd", &trusted]));
    if let Some(ca) = client_ca {
        let flag = format!("--client-ca-file={ca}");
        f.components
            .insert("apiserver".into(), process(11, &["kube-apiserver", &flag]));
    }
    for (path, sum) in digests {
        let d = FileDigest {
            sha256: sum.map(str::to_string),
            error: sum.is_none().then(|| format!("file not found: {path}")),
        };
        f.digests.insert(path.to_string(), d);
    }
    f
}

fn judge(facts: &NodeFacts) -> Outcome {
    let b = Catalog::embedded().unwrap().get("cis-1.12").unwrap();
    let view = NodeView::new(facts, &b);
    distinct_file(
        &b,
        Named {
            component: Component::Etcd,
            flag: "--trusted-ca-file",
        },
        Named {
            component: Component::Apiserver,
            flag: "--client-ca-file",
        },
        &view,
    )
}

#[test]
fn the_same_path_is_one_ca_for_both() {
    let o = judge(&node("/pki/ca.crt", Some("/pki//ca.crt"), &[]));
    assert_eq!(o.state, State::Fail);
    assert!(o.reason.unwrap().contains("one CA serves both"));
}

#[test]
fn two_paths_with_the_same_digest_are_one_ca_for_both() {
    let sum = "ab".repeat(32);
    let o = judge(&node(
        "/pki/etcd/ca.crt",
        Some("/pki/ca.crt"),
        &[
            ("/pki/etcd/ca.crt", Some(&sum)),
            ("/pki/ca.crt", Some(&sum)),
        ],
    ));
    assert_eq!(o.state, State::Fail);
    assert!(o.reason.unwrap().contains("same content"));
}

#[test]
fn different_files_pass_with_both_paths_in_the_evidence() {
    let o = judge(&node(
        "/pki/etcd/ca.crt",
        Some("/pki/ca.crt"),
        &[
            ("/pki/etcd/ca.crt", Some(&"01".repeat(32))),
            ("/pki/ca.crt", Some(&"02".repeat(32))),
        ],
    ));
    assert_eq!(o.state, State::Pass);
    assert_eq!(
        o.actual,
        "etcd --trusted-ca-file=/pki/etcd/ca.crt; kube-apiserver --client-ca-file=/pki/ca.crt"
    );
    assert_eq!(o.source, "process 10 (etcd); process 11 (kube-apiserver)");
}

#[test]
fn without_the_api_server_on_the_node_it_stays_a_warning_with_why() {
    let o = judge(&node("/pki/etcd/ca.crt", None, &[]));
    assert_eq!(o.state, State::Warn);
    assert!(o
        .reason
        .unwrap()
        .contains("kube-apiserver does not run on this node"));
}

#[test]
fn an_unreadable_file_stays_a_warning_with_why() {
    let o = judge(&node(
        "/pki/etcd/ca.crt",
        Some("/pki/ca.crt"),
        &[
            ("/pki/etcd/ca.crt", Some(&"01".repeat(32))),
            ("/pki/ca.crt", None),
        ],
    ));
    assert_eq!(o.state, State::Warn);
    assert_eq!(
        o.reason.as_deref(),
        Some("not compared: file not found: /pki/ca.crt")
    );
}

#[test]
fn files_never_read_stay_a_warning() {
    let o = judge(&node("/pki/etcd/ca.crt", Some("/pki/ca.crt"), &[]));
    assert_eq!(o.state, State::Warn);
    assert!(o.reason.unwrap().contains("was not read"));
}

#[test]
fn etcd_without_a_trusted_ca_fails() {
    let mut f = node("/x", Some("/pki/ca.crt"), &[]);
    f.components
        .insert("etcd".into(), process(10, &["etcd", "--trusted-ca-file="]));
    let o = judge(&f);
    assert_eq!(o.state, State::Fail);
    assert_eq!(o.actual, "--trusted-ca-file not set");
}

#[test]
fn paths_are_compared_without_repeated_or_trailing_slashes() {
    assert!(same_path("/a//b/./c", "/a/b/c/"));
    assert!(!same_path("/a/b", "/a/bc"));
}
