//! Tests of the kubelet drop-in walk (drop_ins.rs).

use super::*;

use super::super::test_host::host_with;

fn read(host: &Host, bounds: Bounds) -> ConfigFacts {
    let mut cfg = ConfigFacts::default();
    merge_drop_ins(host, &mut cfg, "/d", bounds);
    cfg
}

#[test]
fn subdirectories_are_walked_in_lexical_order_between_their_siblings() {
    let (_t, host) = host_with(&[
        (
            "/d/00-base.conf",
            "authentication: {anonymous: {enabled: false}}\nreadOnlyPort: 0\n",
        ),
        (
            "/d/20-cli-config-dir/10-user.conf",
            "authentication: {anonymous: {enabled: true}}\n",
        ),
        ("/d/30-last.conf", "readOnlyPort: 10255\n"),
        ("/d/ignored.yaml", "readOnlyPort: 1\n"),
    ]);
    let cfg = read(&host, BOUNDS);
    assert_eq!(
        cfg.drop_ins,
        [
            "/d/00-base.conf",
            "/d/20-cli-config-dir/10-user.conf",
            "/d/30-last.conf"
        ]
    );
    let content = cfg.content.as_ref().unwrap();
    assert_eq!(
        content.pointer("/authentication/anonymous/enabled"),
        Some(&Value::Bool(true))
    );
    assert_eq!(content["readOnlyPort"], 10255);
    assert_eq!(
        cfg.origin_of("authentication.anonymous.enabled"),
        Some("/d/20-cli-config-dir/10-user.conf")
    );
    assert_eq!(cfg.origin_of("readOnlyPort"), Some("/d/30-last.conf"));
    assert!(cfg.incomplete.is_none());
}

#[test]
fn a_merge_patch_replaces_lists_and_removes_null_fields() {
    let (_t, host) = host_with(&[
        ("/d/1.conf", "clusterDNS: [a, b]\ntlsCipherSuites: [x]\n"),
        ("/d/2.conf", "clusterDNS: [c]\ntlsCipherSuites: null\n"),
    ]);
    let cfg = read(&host, BOUNDS);
    let content = cfg.content.as_ref().unwrap();
    assert_eq!(content["clusterDNS"], serde_json::json!(["c"]));
    assert!(content.get("tlsCipherSuites").is_none());
    assert_eq!(cfg.origin_of("tlsCipherSuites"), Some("/d/2.conf"));
}

#[test]
fn a_bound_that_stops_the_walk_is_recorded() {
    let (_t, host) = host_with(&[
        ("/d/1.conf", "readOnlyPort: 0\n"),
        ("/d/2.conf", "readOnlyPort: 10255\n"),
        ("/d/a/b/3.conf", "readOnlyPort: 1\n"),
    ]);
    let few = read(&host, Bounds { files: 1, ..BOUNDS });
    assert_eq!(few.drop_ins, ["/d/1.conf"]);
    assert!(
        few.incomplete.as_deref().unwrap().contains("/d/2.conf"),
        "{:?}",
        few.incomplete
    );
    let shallow = read(&host, Bounds { depth: 1, ..BOUNDS });
    assert!(
        shallow.incomplete.as_deref().unwrap().contains("/d/a/b"),
        "{:?}",
        shallow.incomplete
    );
    let small = read(
        &host,
        Bounds {
            file_bytes: 4,
            ..BOUNDS
        },
    );
    assert!(small
        .incomplete
        .as_deref()
        .unwrap()
        .contains("larger than 4 bytes"));
    let total = read(
        &host,
        Bounds {
            total_bytes: 20,
            ..BOUNDS
        },
    );
    assert!(total
        .incomplete
        .as_deref()
        .unwrap()
        .contains("exceed 20 bytes"));
}

#[test]
fn a_drop_in_that_does_not_parse_is_an_error_naming_it() {
    let (_t, host) = host_with(&[("/d/1.conf", "a: [unclosed\n")]);
    let cfg = read(&host, BOUNDS);
    assert!(
        cfg.error.as_deref().unwrap().starts_with("/d/1.conf:"),
        "{:?}",
        cfg.error
    );
}
