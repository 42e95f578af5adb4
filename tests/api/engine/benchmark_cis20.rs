//! CIS Kubernetes Benchmark 2.0 for current Kubernetes, as a user of `cis-scan
//! check` meets it: 1.35 runs cis-2.0, which keeps every check of cis-1.12 and
//! words 1.2.29 and 3.2.2 as 2.0 does; a newer version gets cis-2.0 and is told
//! that it is newer than 2.0's scope.

use crate::support::hostroot::HostRoot;
use crate::support::kubeadm;
use serde_json::Value;
use std::collections::BTreeMap;

/// `check --format json` on a kubeadm control plane with these extra arguments.
fn check_json(h: &HostRoot, extra: &[&str]) -> Value {
    let (root, proc) = (h.root(), h.proc());
    let mut args = vec!["check", "--format", "json", "--host-root"];
    args.extend([root.to_str().unwrap(), "--proc", proc.to_str().unwrap()]);
    args.extend(extra);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(&args)
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&o.stderr));
    })
}

/// Each check id's (state, remediation).
fn by_id(report: &Value) -> BTreeMap<String, (String, String)> {
    let results = report["results"].as_array().unwrap();
    results
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_string();
            (text("id"), (text("state"), text("remediation")))
        })
        .collect()
}

#[test]
fn check_for_kubernetes_1_35_runs_cis_2_0_with_the_checks_of_1_12_and_two_new_remediations() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let v2 = check_json(&h, &["--kubernetes-version", "1.35"]);
    assert_eq!(v2["benchmark"], "cis-2.0");
    assert_eq!(v2["benchmarkTitle"], "CIS Kubernetes Benchmark 2.0");
    assert_eq!(v2["benchmarkReason"], "cis-2.0 for Kubernetes 1.35");
    let v112 = check_json(&h, &["--benchmark", "cis-1.12"]);
    let (new, old) = (by_id(&v2), by_id(&v112));
    assert_eq!(new.len(), 131);
    assert_eq!(
        new.keys().collect::<Vec<_>>(),
        old.keys().collect::<Vec<_>>(),
        "every check of 1.12 remains"
    );
    let mut reworded = Vec::new();
    for (id, (state, remediation)) in &new {
        let (old_state, old_remediation) = &old[id];
        assert_eq!(
            state, old_state,
            "{id}: same facts, same test, same verdict"
        );
        if remediation != old_remediation {
            reworded.push(id.as_str());
        }
    }
    assert_eq!(reworded, ["1.2.29", "3.2.2"]);
    assert!(
        new["1.2.29"].1.contains("your organisation uses"),
        "{}",
        new["1.2.29"].1
    );
    assert!(
        new["3.2.2"].1.contains("CertificateSigningRequests"),
        "{}",
        new["3.2.2"].1
    );
}

#[test]
fn check_for_a_kubernetes_newer_than_every_scope_takes_cis_2_0_and_says_so() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let r = check_json(&h, &["--kubernetes-version", "1.37"]);
    assert_eq!(r["benchmark"], "cis-2.0");
    assert_eq!(
        r["benchmarkReason"],
        "cis-2.0, the newest; Kubernetes 1.37 is newer than its 1.34–1.35 scope"
    );
}

#[test]
fn check_for_kubernetes_1_33_still_runs_cis_1_12() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let r = check_json(&h, &["--kubernetes-version", "1.33"]);
    assert_eq!(r["benchmark"], "cis-1.12");
    assert_eq!(r["benchmarkReason"], "cis-1.12 for Kubernetes 1.33");
}
