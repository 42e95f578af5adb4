//! How to check a result by hand: each node result's `audit`, the command a person
//! runs on that node, read the same through GraphQL, the JSON document and the
//! kube-bench export's `audit` field.

use crate::exports::formats::{demo_report_id, json_export};
use crate::support::app::spawn_app;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const AUDITS: &str = "query($id: ID!) { report(id: $id) {
    results { id nodes { node audit } } } }";

/// (check id, node) → audit, from the results of a GraphQL answer or a JSON document.
fn audits(results: &Value) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for c in results.as_array().unwrap() {
        for n in c["nodes"].as_array().unwrap() {
            let audit = n["audit"].as_str().unwrap_or_default().to_string();
            out.insert(
                (
                    c["id"].as_str().unwrap().to_string(),
                    n["node"].as_str().unwrap().to_string(),
                ),
                audit,
            );
        }
    }
    out
}

fn key(check: &str, node: &str) -> (String, String) {
    (check.to_string(), node.to_string())
}

#[actix_web::test]
async fn every_node_result_names_the_command_that_shows_its_fact_in_the_api_and_the_exports() {
    let app = spawn_app().await;
    let id = demo_report_id(&app).await;
    let answer = app.ok(AUDITS, json!({ "id": id })).await;
    let api = audits(&answer["report"]["results"]);
    for (check, node, audit) in [
        (
            "1.1.1",
            "cp-1",
            "stat -c '%n %a %U:%G' /etc/kubernetes/manifests/kube-apiserver.yaml",
        ),
        ("1.2.16", "cp-1", "ps -o args= -C kube-apiserver"),
        ("4.2.1", "worker-1", "cat /var/lib/kubelet/config.yaml"),
        (
            "5.1.3",
            "cluster",
            "kubectl get clusterroles,roles -A -o yaml",
        ),
    ] {
        assert_eq!(api[&key(check, node)], audit, "{check} on {node}");
    }

    let doc = json_export(&app, &id, "json").await;
    assert_eq!(audits(&doc["results"]), api, "the JSON document");

    let kb = json_export(&app, &id, "kube-bench").await;
    let mut exported = 0;
    for c in kb["Controls"].as_array().unwrap() {
        let node = c["node_name"].as_str().unwrap();
        for t in c["tests"].as_array().unwrap() {
            for r in t["results"].as_array().unwrap() {
                let check = r["test_number"].as_str().unwrap();
                assert_eq!(r["audit"], api[&key(check, node)], "{check} on {node}");
                exported += 1;
            }
        }
    }
    assert!(exported > 100, "{exported} kube-bench results");
}

/// The audit of `check` on the only node of a report.
fn audit_of(r: &cis_scan::engine::report::Report, check: &str) -> String {
    crate::support::result(r, check).nodes[0].audit.clone()
}

#[test]
fn rke2_and_k3s_audits_name_the_distributions_own_paths_and_processes() {
    use crate::support::hostroot::HostRoot;
    use crate::support::{eval, k3s, rke2};
    let h = HostRoot::new();
    rke2::server(&h);
    let r = eval("rke2-cis-1.12", &[h.collect("rke2-server")]);
    assert_eq!(
        audit_of(&r, "4.1.5"),
        "stat -c '%n %a %U:%G' /var/lib/rancher/rke2/agent/kubelet.kubeconfig"
    );
    assert_eq!(audit_of(&r, "1.2.1"), "ps -o args= -C kube-apiserver");
    // the kubelet's arguments (which name --config-dir), then the drop-in that decided
    assert_eq!(
        audit_of(&r, "4.2.4"),
        "ps -o args= -C kubelet; cat /var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf"
    );

    let h = HostRoot::new();
    k3s::server(&h);
    let r = eval("k3s-cis-1.12", &[h.collect("k3s-server")]);
    assert_eq!(
        audit_of(&r, "1.2.1"),
        "journalctl -u k3s -u k3s-agent | grep 'Running kube-apiserver' | tail -n 1"
    );
    assert_eq!(
        audit_of(&r, "2.3"),
        "cat /var/lib/rancher/k3s/server/db/etcd/config"
    );
    assert_eq!(
        audit_of(&r, "1.1.13"),
        "stat -c '%n %a %U:%G' /var/lib/rancher/k3s/server/cred/admin.kubeconfig"
    );
}
