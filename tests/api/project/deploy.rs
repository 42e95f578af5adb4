//! The deployment manifests parse and grant what the code asks the API for, and no more.

use serde_json::Value;

fn docs(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap();
    serde_saphyr::from_str_multiple::<Value, Vec<Value>>(&text)
        .unwrap()
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

fn grants(rules: &[Value], group: &str, resource: &str, verb: &str) -> bool {
    rules.iter().any(|r| {
        let has = |k: &str, v: &str| {
            r[k].as_array()
                .is_some_and(|a| a.iter().any(|x| x == v || x == "*"))
        };
        has("apiGroups", group) && has("resources", resource) && has("verbs", verb)
    })
}

#[test]
fn rbac_covers_discovery_section5_and_jobs() {
    let all = docs("deploy/cis-scan.yaml");
    let find = |kind: &str, name: &str| {
        all.iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{kind} {name}"))
            .clone()
    };
    let reader = find("ClusterRole", "cis-scan-reader");
    let rules = reader["rules"].as_array().unwrap();
    for (g, r) in [
        ("", "nodes"),
        ("", "namespaces"),
        ("", "pods"),
        ("", "serviceaccounts"),
        ("rbac.authorization.k8s.io", "clusterroles"),
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "clusterrolebindings"),
        ("rbac.authorization.k8s.io", "rolebindings"),
        ("networking.k8s.io", "networkpolicies"),
    ] {
        assert!(grants(rules, g, r, "list"), "list {r}");
    }
    assert!(
        !rules.iter().any(|r| r.to_string().contains("secrets")),
        "never reads secrets"
    );
    assert!(
        !rules.iter().any(|r| r.to_string().contains("\"*\"")),
        "no wildcards"
    );
    let jobs = find("Role", "cis-scan-jobs");
    let jr = jobs["rules"].as_array().unwrap();
    for v in ["create", "get", "delete", "deletecollection"] {
        assert!(grants(jr, "batch", "jobs", v), "jobs {v}");
    }
    assert!(grants(jr, "", "pods/log", "get"));
    assert_eq!(
        jobs["metadata"]["namespace"], "cis-scan",
        "job rights only in its own namespace"
    );
    let agentless = docs("deploy/agentless-rbac.yaml");
    assert!(grants(
        agentless[0]["rules"].as_array().unwrap(),
        "",
        "nodes/proxy",
        "get"
    ));
    let dep = find("Deployment", "cis-scan");
    let c = &dep["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(
        dep["spec"]["template"]["spec"]["serviceAccountName"],
        "cis-scan"
    );
    // the embedded config in the ConfigMap is a valid cis-scan configuration
    let cm = find("ConfigMap", "cis-scan");
    let dir = tempfile::TempDir::new().unwrap();
    let f = dir.path().join("config.toml");
    std::fs::write(&f, cm["data"]["config.toml"].as_str().unwrap()).unwrap();
    let s = cis_scan::service::settings::Settings::load(Some(&f)).unwrap();
    assert!(s.clusters[0].in_cluster);
    assert!(!docs("deploy/postgres.yaml").is_empty());
}

/// Runs against a real cluster (agentless, so it changes nothing there). No cluster can be
/// reached here, so it is ignored: `KUBECONFIG=... cargo test --test api -- --ignored live_cluster`.
#[test]
#[ignore = "needs a real cluster: KUBECONFIG=FILE cargo test --test api -- --ignored live_cluster"]
fn live_cluster_through_kubeconfig() {
    let path = std::env::var("KUBECONFIG").expect("KUBECONFIG names the cluster to check");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args([
            "check",
            "--kubeconfig",
            &path,
            "--agentless",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["summary"]["total"].as_u64().unwrap() > 100);
}

#[test]
fn the_image_runs_as_a_non_root_user() {
    let dockerfile = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile"),
    )
    .unwrap();
    let user = dockerfile
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("USER "))
        .expect("a USER line in the final stage");
    let uid = user.split(':').next().unwrap();
    assert!(uid != "0" && uid != "root", "USER {user}");
}

#[test]
fn collector_pods_use_the_runtime_default_seccomp_profile() {
    let settings = cis_scan::sources::live::LiveSettings::default();
    let job = serde_json::to_value(cis_scan::sources::live::jobs::job_spec(
        &settings,
        "0123456789",
        "n1",
    ))
    .unwrap();
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
}
