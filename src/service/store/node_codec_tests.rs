use super::*;

fn result(node: &str, state: State, actual: &str) -> NodeResult {
    NodeResult {
        node: node.into(),
        state,
        actual: actual.into(),
        expected: "--profiling=false".into(),
        source: "process".into(),
        reason: None,
        audit: "ps -o args= -C kube-apiserver".into(),
    }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("node-{i}")).collect()
}

#[test]
fn nodes_sharing_a_result_store_it_once_with_their_ranges() {
    let all = names(1000);
    let nodes: Vec<_> = (3..1000)
        .map(|i| result(&all[i], State::Fail, "--profiling=true"))
        .collect();
    let text = encode(&nodes, &NodeNames::new(&all));
    assert_eq!(
        text,
        r#"{"v":2,"n":"3-999","g":[{"at":"0-996","r":{"state":"FAIL","actual":"--profiling=true","expected":"--profiling=false","source":"process","audit":"ps -o args= -C kube-apiserver"}}]}"#
    );
    assert_eq!(decode(&text, &all).unwrap(), nodes);
}

#[test]
fn names_the_report_lacks_are_stored_with_the_check() {
    let all = names(2);
    let mut cluster = result("cluster", State::Warn, "");
    cluster.reason = Some("manual".into());
    let nodes = vec![cluster, result("node-1", State::Pass, "x")];
    let text = encode(&nodes, &NodeNames::new(&all));
    assert!(text.contains(r#""n":"2,1","x":["cluster"]"#), "{text}");
    assert_eq!(decode(&text, &all).unwrap(), nodes);
}

#[test]
fn the_array_saved_before_format_2_is_read_as_it_was() {
    let nodes = vec![result("a", State::Pass, "1"), result("b", State::Fail, "2")];
    let v1 = serde_json::to_string(&nodes).unwrap();
    assert_eq!(decode(&v1, &[]).unwrap(), nodes);
    assert_eq!(decode(" []", &[]).unwrap(), vec![]);
}

#[test]
fn results_saved_without_an_audit_get_the_one_their_source_names() {
    let r = r#"{"state":"FAIL","actual":"","expected":"owned by root:root","source":"file /etc/kubernetes/admin.conf"}"#;
    let stat = "stat -c '%n %a %U:%G' /etc/kubernetes/admin.conf";
    let v2 = format!(r#"{{"v":2,"n":"0","g":[{{"at":"0","r":{r}}}]}}"#);
    assert_eq!(decode(&v2, &names(1)).unwrap()[0].audit, stat);
    let v1 = format!(r#"[{{"node":"a",{}]"#, &r[1..]);
    assert_eq!(decode(&v1, &[]).unwrap()[0].audit, stat);
}

#[test]
fn an_empty_check_round_trips() {
    let text = encode(&[], &NodeNames::new(&[]));
    assert_eq!(text, r#"{"v":2,"n":"","g":[]}"#);
    assert_eq!(decode(&text, &[]).unwrap(), vec![]);
}

#[test]
fn damaged_rows_are_errors_that_say_what_is_wrong() {
    let all = names(3);
    let r = r#"{"state":"PASS","actual":"","expected":"","source":""}"#;
    for (text, says) in [
        (r#"{"v":3,"n":"","g":[]}"#.to_string(), "format 3"),
        (r#"{"v":2,"n":"0-3","g":[]}"#.to_string(), "out of range"),
        (
            format!(r#"{{"v":2,"n":"0-1","g":[{{"at":"0","r":{r}}}]}}"#),
            "no result",
        ),
        (
            format!(r#"{{"v":2,"n":"0","g":[{{"at":"0","r":{r}}},{{"at":"0","r":{r}}}]}}"#),
            "two results",
        ),
        (
            format!(r#"{{"v":2,"n":"0","g":[{{"at":"1","r":{r}}}]}}"#),
            "out of range",
        ),
        (r#"{"v":2,"n":"2-1","g":[]}"#.to_string(), "range"),
        ("{".to_string(), "EOF"),
    ] {
        let e = decode(&text, &all).unwrap_err();
        assert!(e.contains(says), "{text}: {e}");
    }
}
