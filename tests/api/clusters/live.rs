//! Live clusters against the in-process fake API server: discovery, Job-mode
//! scans, a failing node, cleanup after cancel, agentless mode, managed
//! providers, missing permissions, and the CLI.

use crate::support::app::TestApp;
use crate::support::fakekube::{node, FakeApi, FakeCluster};
use crate::support::requests::code;
use crate::support::wait::{wait_for, EVENT};
use cis_scan::service::clusters::ExtraCluster;
use cis_scan::sources::live::{discovery, LiveSettings, LiveSource};
use serde_json::{json, Value};
use std::sync::Arc;

const CP_FACTS: &str = include_str!("../../../config/demo/cp-1.json");
const WORKER_FACTS: &str = include_str!("../../../config/demo/worker-1.json");

fn pod(ns: &str, name: &str, spec: Value) -> Value {
    json!({ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": name, "namespace": ns }, "spec": spec })
}

fn container(name: &str, sc: Value) -> Value {
    json!({ "name": name, "image": "nginx:1.27", "securityContext": sc })
}

/// A kubeadm cluster: a control plane, two Linux workers, one Windows node, some RBAC and workloads.
pub fn kubeadm_cluster() -> FakeCluster {
    let mut f = FakeCluster {
        git_version: "v1.30.4".into(),
        ..Default::default()
    };
    f.nodes = vec![
        node(
            "cp-1",
            json!({ "node-role.kubernetes.io/control-plane": "" }),
            "linux",
            "",
        ),
        node("w-1", json!({}), "linux", ""),
        node("w-2", json!({}), "linux", ""),
        node("win-1", json!({}), "windows", ""),
    ];
    f.facts.insert("cp-1".into(), CP_FACTS.into());
    f.facts.insert(
        "w-1".into(),
        WORKER_FACTS.replace("\"worker-1\"", "\"w-1\""),
    );
    f.facts.insert(
        "w-2".into(),
        WORKER_FACTS.replace("\"worker-1\"", "\"w-2\""),
    );
    f.namespaces = ["default", "kube-system", "shop", "secure"]
        .iter()
        .map(|n| {
            let labels = if *n == "secure" {
                json!({ "pod-security.kubernetes.io/enforce": "restricted" })
            } else {
                json!({})
            };
            json!({ "metadata": { "name": n, "labels": labels } })
        })
        .collect();
    f.network_policies = vec![
        json!({ "metadata": { "name": "deny-all", "namespace": "secure" }, "spec": { "podSelector": {} } }),
    ];
    f.cluster_roles = vec![
        json!({ "metadata": { "name": "cluster-admin" }, "rules": [{ "apiGroups": ["*"], "resources": ["*"], "verbs": ["*"] }] }),
        json!({ "metadata": { "name": "secret-reader" }, "rules": [{ "apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"] }] }),
        json!({ "metadata": { "name": "system:node" }, "rules": [{ "apiGroups": [""], "resources": ["secrets"], "verbs": ["get"] }] }),
    ];
    f.cluster_role_bindings = vec![
        json!({ "metadata": { "name": "cluster-admin" }, "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin" }, "subjects": [{ "kind": "Group", "name": "system:masters" }] }),
        json!({ "metadata": { "name": "ops-admin" }, "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin" }, "subjects": [{ "kind": "User", "name": "alice" }] }),
        json!({ "metadata": { "name": "ci-secrets" }, "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "secret-reader" }, "subjects": [{ "kind": "ServiceAccount", "name": "ci", "namespace": "shop" }] }),
    ];
    f.service_accounts = vec![
        json!({ "metadata": { "name": "default", "namespace": "shop" } }),
        json!({ "metadata": { "name": "default", "namespace": "secure" }, "automountServiceAccountToken": false }),
    ];
    f.pods = vec![
        pod(
            "shop",
            "web-1",
            json!({ "containers": [container("web", json!({ "privileged": true }))], "hostNetwork": true }),
        ),
        pod(
            "secure",
            "api-1",
            json!({
                "serviceAccountName": "api", "automountServiceAccountToken": false,
                "securityContext": { "runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": { "type": "RuntimeDefault" } },
                "containers": [container("api", json!({ "allowPrivilegeEscalation": false, "capabilities": { "drop": ["ALL"] } }))]
            }),
        ),
        pod(
            "kube-system",
            "kube-proxy-abc",
            json!({ "hostNetwork": true, "containers": [container("kube-proxy", json!({ "privileged": true }))] }),
        ),
    ];
    f
}

fn fast() -> LiveSettings {
    LiveSettings {
        poll_interval: std::time::Duration::from_millis(20),
        node_timeout: std::time::Duration::from_secs(5),
        namespace: "cis-scan".into(),
        ..Default::default()
    }
}

async fn live_cluster(api: &FakeApi, settings: LiveSettings) -> ExtraCluster {
    let source = LiveSource::new(api.client().await, settings, "fake");
    ExtraCluster {
        id: "live".into(),
        name: "Live".into(),
        source: Arc::new(source),
    }
}

const REPORT: &str = "query($id: ID!) { report(id: $id) { benchmarkVersion kubernetesVersion summary { total fail error }
    results { id state reason nodes { node state actual expected source reason } } } }";

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn on<'a>(c: &'a Value, node: &str) -> &'a Value {
    c["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == node)
        .unwrap_or_else(|| panic!("no node {node} in {c}"))
}

#[test]
fn providers_roles_and_os_from_realistic_objects() {
    let n = |labels: Value, pid: &str| {
        serde_json::from_value::<k8s_openapi::api::core::v1::Node>(node("n", labels, "linux", pid))
            .unwrap()
    };
    use discovery::Provider::*;
    let cases = [
        ("v1.30.4", n(json!({}), ""), Generic),
        (
            "v1.30.4-eks-a737599",
            n(
                json!({ "eks.amazonaws.com/nodegroup": "ng-1" }),
                "aws:///eu-west-1a/i-0abc",
            ),
            Eks,
        ),
        (
            "v1.30.5-gke.1014001",
            n(
                json!({ "cloud.google.com/gke-nodepool": "pool-1" }),
                "gce://proj/zone/n",
            ),
            Gke,
        ),
        (
            "v1.30.4",
            n(
                json!({ "kubernetes.azure.com/cluster": "MC_rg_aks_westeurope" }),
                "azure:///subscriptions/x",
            ),
            Aks,
        ),
        ("v1.30.4+rke2r1", n(json!({}), "rke2://n"), Rke2),
        ("v1.30.4+k3s1", n(json!({}), "k3s://n"), K3s),
        (
            "v1.30.4",
            n(json!({ "eks.amazonaws.com/compute-type": "ec2" }), ""),
            Eks,
        ),
    ];
    for (v, node, want) in cases {
        assert_eq!(discovery::provider(v, &[node]), want, "{v}");
    }
    assert_eq!(Eks.managed_name(), Some("EKS"));
    assert_eq!(Rke2.managed_name(), None);
    let cp = n(
        json!({ "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/etcd": "true" }),
        "",
    );
    assert_eq!(discovery::roles(&cp), vec!["control-plane", "etcd"]);
    assert_eq!(discovery::roles(&n(json!({}), "")), vec!["worker"]);
    let win = serde_json::from_value::<k8s_openapi::api::core::v1::Node>(node(
        "w",
        json!({}),
        "windows",
        "",
    ))
    .unwrap();
    assert_eq!(discovery::os(&win), "windows");
    assert_eq!(discovery::clean_version("v1.30.4+rke2r1"), "1.30.4");
    assert_eq!(discovery::clean_version("v1.30.5-gke.1014001"), "1.30.5");
}

#[test]
fn job_spec_is_pinned_read_only_and_tolerant() {
    let mut s = fast();
    s.image = "registry.example/cis-scan:1".into();
    s.tolerations = vec![
        json!({ "key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule" }),
    ];
    let job = serde_json::to_value(cis_scan::sources::live::jobs::job_spec(
        &s,
        "0123456789abcdef",
        "ip-10-0-0-1.ec2.internal",
    ))
    .unwrap();
    let spec = &job["spec"];
    assert_eq!(spec["backoffLimit"], 0);
    assert_eq!(spec["ttlSecondsAfterFinished"], 600);
    assert_eq!(spec["activeDeadlineSeconds"], 5);
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["nodeName"], "ip-10-0-0-1.ec2.internal");
    assert_eq!(pod["hostPID"], true);
    assert_eq!(pod["restartPolicy"], "Never");
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "registry.example/cis-scan:1");
    assert_eq!(
        c["command"],
        json!([
            "cis-scan",
            "collect",
            "--host-root",
            "/host",
            "--proc",
            "/proc",
            "--node-name",
            "ip-10-0-0-1.ec2.internal"
        ])
    );
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(
        c["volumeMounts"][0],
        json!({ "name": "host", "mountPath": "/host", "readOnly": true })
    );
    assert_eq!(pod["volumes"][0]["hostPath"]["path"], "/");
    let keys: Vec<&str> = pod["tolerations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    for k in [
        "node-role.kubernetes.io/control-plane",
        "node-role.kubernetes.io/etcd",
        "CriticalAddonsOnly",
        "dedicated",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    let name = job["metadata"]["name"].as_str().unwrap();
    assert!(
        name.len() <= 63 && name.starts_with("cis-scan-01234567-ip-10-0-0-1-ec2-internal-"),
        "{name}"
    );
}

#[actix_web::test]
async fn job_mode_scan_with_a_failing_node_and_windows_excluded() {
    let mut f = kubeadm_cluster();
    f.facts.remove("w-2"); // its collector job fails
    let api = FakeApi::start(f);
    let app = TestApp::builder()
        .cluster(live_cluster(&api, fast()).await)
        .spawn()
        .await;
    let mut events = app.state.scanner.progress.subscribe();
    let scan = app.scan_to_end("live").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    let mut phases = Vec::new();
    while let Ok(e) = events.try_recv() {
        phases.push(e.phase);
    }
    use cis_scan::service::domain::ScanPhase;
    let first = |p: ScanPhase| {
        phases
            .iter()
            .position(|x| *x == p)
            .unwrap_or_else(|| panic!("{p:?} missing: {phases:?}"))
    };
    assert!(first(ScanPhase::Discovering) < first(ScanPhase::Collecting));
    assert!(first(ScanPhase::Collecting) < first(ScanPhase::Evaluating));
    let r = app.ok(REPORT, json!({ "id": scan["report"]["id"] })).await;
    assert_eq!(r["report"]["benchmarkVersion"], "cis-1.11");
    assert_eq!(r["report"]["kubernetesVersion"], "1.30.4");
    // node checks from the collected facts
    let profiling = check(&r, "1.2.15");
    assert_eq!(on(profiling, "cp-1")["state"], "FAIL");
    assert_eq!(
        on(check(&r, "4.2.1"), "w-1")["state"],
        "FAIL",
        "the demo worker allows anonymous access"
    );
    // the failed node: ERROR with the reason, the rest still scanned
    let w2 = on(check(&r, "4.2.1"), "w-2");
    assert_eq!(w2["state"], "ERROR");
    assert!(
        w2["reason"]
            .as_str()
            .unwrap()
            .contains("failed on node w-2"),
        "{w2}"
    );
    // windows node left out
    assert!(check(&r, "4.2.1")["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["node"] != "win-1"));
    // section 5 judged from the API, with the offending objects as evidence
    let admin = on(check(&r, "5.1.1"), "cluster");
    assert_eq!(admin["state"], "WARN", "unscored failure");
    assert!(
        admin["actual"]
            .as_str()
            .unwrap()
            .contains("ClusterRoleBinding ops-admin → User alice"),
        "{admin}"
    );
    assert!(!admin["actual"].as_str().unwrap().contains("system:masters"));
    let secrets = on(check(&r, "5.1.2"), "cluster");
    assert!(
        secrets["actual"].as_str().unwrap().contains("ci-secrets"),
        "{secrets}"
    );
    assert!(!secrets["actual"].as_str().unwrap().contains("system:node"));
    let privileged = on(check(&r, "5.2.2"), "cluster");
    assert!(
        privileged["actual"]
            .as_str()
            .unwrap()
            .contains("shop/web-1 (web)"),
        "{privileged}"
    );
    assert!(
        !privileged["actual"]
            .as_str()
            .unwrap()
            .contains("kube-proxy"),
        "system namespaces are left out"
    );
    let netpol = on(check(&r, "5.3.2"), "cluster");
    assert!(
        netpol["actual"]
            .as_str()
            .unwrap()
            .contains("namespace shop")
            && !netpol["actual"]
                .as_str()
                .unwrap()
                .contains("namespace secure")
    );
    // every job was deleted
    let created = api.cluster.created.lock().unwrap().clone();
    let deleted = api.cluster.deleted.lock().unwrap().clone();
    assert_eq!(created.len(), 3, "one job per Linux node");
    for j in &created {
        assert!(deleted.contains(j), "job {j} not deleted: {deleted:?}");
    }
}

#[actix_web::test]
async fn cancel_deletes_the_jobs() {
    let mut f = kubeadm_cluster();
    f.hang.insert("w-1".into());
    let api = FakeApi::start(f);
    let mut s = fast();
    s.node_timeout = std::time::Duration::from_secs(60);
    let app = TestApp::builder()
        .cluster(live_cluster(&api, s).await)
        .spawn()
        .await;
    let id = app
        .ok(
            "mutation { runScan(clusterId: \"live\") { id } }",
            json!({}),
        )
        .await["runScan"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for("the three collector Jobs created", EVENT, || async {
        (api.cluster.created.lock().unwrap().len() == 3).then_some(())
    })
    .await;
    let c = app
        .ok(
            "mutation($id: ID!) { cancelScan(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(c["cancelScan"]["state"], "CANCELLED");
    wait_for("the cancelled scan's Jobs deleted", EVENT, || async {
        api.cluster
            .deleted
            .lock()
            .unwrap()
            .iter()
            .any(|d| d.starts_with("jobs?cis-scan/scan="))
            .then_some(())
    })
    .await;
}

#[actix_web::test]
async fn agentless_reads_static_pods_and_configz() {
    let mut f = kubeadm_cluster();
    f.facts.clear(); // no collector may run
    f.pods.push(pod("kube-system", "kube-apiserver-cp-1", json!({ "nodeName": "cp-1", "containers": [{ "name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.30.4",
        "command": ["kube-apiserver", "--authorization-mode=Node,RBAC", "--profiling=false", "--anonymous-auth=false"] }] })));
    f.configz.insert("cp-1".into(), json!({ "authentication": { "anonymous": { "enabled": false } }, "authorization": { "mode": "Webhook" }, "readOnlyPort": 0 }));
    f.configz.insert("w-1".into(), json!({ "authentication": { "anonymous": { "enabled": true } }, "authorization": { "mode": "AlwaysAllow" } }));
    f.configz.insert("w-2".into(), json!({ "authentication": { "anonymous": { "enabled": false } }, "authorization": { "mode": "Webhook" } }));
    let api = FakeApi::start(f);
    let mut s = fast();
    s.agentless = true;
    let app = TestApp::builder()
        .cluster(live_cluster(&api, s).await)
        .spawn()
        .await;
    let scan = app.scan_to_end("live").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    let r = app.ok(REPORT, json!({ "id": scan["report"]["id"] })).await;
    assert!(
        api.cluster.created.lock().unwrap().is_empty(),
        "no jobs in agentless mode"
    );
    let prof = on(check(&r, "1.2.15"), "cp-1");
    assert_eq!(prof["state"], "PASS");
    assert!(prof["source"]
        .as_str()
        .unwrap()
        .contains("pod kube-system/kube-apiserver-cp-1 (API)"));
    assert_eq!(on(check(&r, "4.2.1"), "w-1")["state"], "FAIL");
    assert!(on(check(&r, "4.2.1"), "w-1")["source"]
        .as_str()
        .unwrap()
        .contains("configz of node w-1"));
    assert_eq!(on(check(&r, "4.2.2"), "w-2")["state"], "PASS");
    // files cannot be judged without node access: WARN with the reason, never PASS
    for id in ["1.1.1", "4.1.5", "4.1.9"] {
        let n = on(
            check(&r, id),
            if id.starts_with('1') { "cp-1" } else { "w-1" },
        );
        assert_eq!(n["state"], "WARN", "{id}");
        assert!(n["reason"]
            .as_str()
            .unwrap()
            .contains("not assessed without node access"));
    }
}

#[actix_web::test]
async fn a_generic_benchmark_asked_for_on_eks_marks_the_managed_control_plane_not_applicable() {
    let mut f = kubeadm_cluster();
    f.git_version = "v1.30.4-eks-a737599".into();
    f.nodes = vec![node(
        "ip-10-0-1-5",
        json!({ "eks.amazonaws.com/nodegroup": "ng" }),
        "linux",
        "aws:///eu-west-1a/i-1",
    )];
    f.facts = [("ip-10-0-1-5".to_string(), WORKER_FACTS.to_string())].into();
    let api = FakeApi::start(f);
    let app = TestApp::builder()
        .cluster(live_cluster(&api, fast()).await)
        .spawn()
        .await;
    // by default an EKS cluster gets eks-1.7.0; cis-1.11 is asked for here
    let d = app
        .ok(
            "mutation { runScan(clusterId: \"live\", benchmark: \"cis-1.11\") { id } }",
            json!({}),
        )
        .await;
    let scan = app.wait_scan(d["runScan"]["id"].as_str().unwrap()).await;
    let r = app.ok(REPORT, json!({ "id": scan["report"]["id"] })).await;
    assert_eq!(r["report"]["benchmarkVersion"], "cis-1.11");
    for id in ["1.2.1", "1.1.1", "2.1", "1.3.2"] {
        let c = check(&r, id);
        assert_eq!(c["state"], "NOT_APPLICABLE", "{id}");
        assert!(
            c["nodes"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("EKS runs the control plane"),
            "{c}"
        );
    }
    assert_eq!(on(check(&r, "4.2.1"), "ip-10-0-1-5")["state"], "FAIL");
}

#[actix_web::test]
async fn missing_permissions_are_named() {
    let mut f = kubeadm_cluster();
    f.forbidden = vec!["/apis/rbac.authorization.k8s.io/v1/clusterroles".into()];
    let api = FakeApi::start(f);
    let app = TestApp::builder()
        .cluster(live_cluster(&api, fast()).await)
        .spawn()
        .await;
    let scan = app.scan_to_end("live").await;
    let r = app.ok(REPORT, json!({ "id": scan["report"]["id"] })).await;
    let wild = on(check(&r, "5.1.3"), "cluster");
    assert_eq!(wild["state"], "ERROR");
    assert!(
        wild["reason"]
            .as_str()
            .unwrap()
            .contains("cannot list clusterroles"),
        "{wild}"
    );
    // without nodes access the scan fails, saying which permission is missing
    let mut f = kubeadm_cluster();
    f.forbidden = vec!["/api/v1/nodes".into()];
    let api2 = FakeApi::start(f);
    let app2 = TestApp::builder()
        .cluster(live_cluster(&api2, fast()).await)
        .spawn()
        .await;
    let failed = app2.scan_to_end("live").await;
    assert_eq!(failed["state"], "FAILED");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("missing permission: cannot list nodes"),
        "{failed}"
    );
    // an unreachable cluster fails with a message, too
    api2.handle.stop(false).await;
    let gone = app2.scan_to_end("live").await;
    assert_eq!(gone["state"], "FAILED");
    assert!(
        gone["message"].as_str().unwrap().contains("unreachable"),
        "{gone}"
    );
}

#[actix_web::test]
async fn pods_are_listed_in_pages() {
    let mut f = kubeadm_cluster();
    for i in 0..1200 {
        f.pods.push(pod(
            "shop",
            &format!("p-{i}"),
            json!({ "containers": [container("c", json!({}))] }),
        ));
    }
    let api = FakeApi::start(f);
    let facts = cis_scan::sources::live::policies::cluster_facts(&api.client().await).await;
    assert_eq!(facts.pods.len(), 1203);
    assert_eq!(*api.cluster.pod_pages.lock().unwrap(), 3, "500 per page");
}

#[test]
fn cli_check_against_a_live_cluster() {
    let api = FakeApi::start(kubeadm_cluster());
    let dir = tempfile::TempDir::new().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, api.kubeconfig()).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args([
            "check",
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("node win-1 excluded"), "{err}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["benchmark"], "cis-1.11");
    assert_eq!(v["nodes"], json!(["cp-1", "w-1", "w-2"]));
}

#[actix_web::test]
async fn register_scan_restart_and_remove_a_cluster() {
    let api = FakeApi::start(kubeadm_cluster());
    let app = TestApp::builder().spawn().await;
    let register = "mutation($k: String!) { registerCluster(name: \"Fake Prod\", kubeconfig: $k) { id name source } }";
    let owner = cis_scan::service::auth::create_token(app.state.store(), Some("demo"))
        .await
        .unwrap();
    let r = app
        .gql_as(Some(&owner), register, json!({ "k": api.kubeconfig() }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let bad = app
        .gql(register, json!({ "k": "not: [a kubeconfig" }))
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let d = app.ok(register, json!({ "k": api.kubeconfig() })).await;
    assert_eq!(d["registerCluster"]["id"], "fake-prod");
    let again = app.gql(register, json!({ "k": api.kubeconfig() })).await;
    assert_eq!(code(&again), "BAD_USER_INPUT", "same id twice");
    // the kubeconfig never comes back, and is not stored in clear
    let listed = app
        .ok("{ clusters { id name source } }", json!({}))
        .await
        .to_string();
    assert!(
        listed.contains("fake-prod")
            && !listed.contains("fake-token")
            && !listed.contains("127.0.0.1"),
        "{listed}"
    );
    let row = app
        .state
        .store()
        .cluster_any("fake-prod")
        .await
        .unwrap()
        .unwrap();
    assert!(!row.secret.clone().unwrap().contains("fake-token"));
    let scan = app.scan_to_end("fake-prod").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    // after a restart the stored kubeconfig is decrypted and used again
    app.server.stop(false).await;
    let app2 = TestApp::builder().database(&app.database).spawn().await;
    let scan2 = app2.scan_to_end("fake-prod").await;
    assert_eq!(scan2["state"], "SUCCEEDED", "{scan2}");
    let rm = app2
        .ok("mutation { removeCluster(id: \"fake-prod\") }", json!({}))
        .await;
    assert_eq!(rm["removeCluster"], true);
    assert_eq!(
        code(
            &app2
                .gql(
                    "mutation { runScan(clusterId: \"fake-prod\") { id } }",
                    json!({})
                )
                .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app2
                .gql("mutation { removeCluster(id: \"fake-prod\") }", json!({}))
                .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app2
                .gql("mutation { removeCluster(id: \"demo\") }", json!({}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert!(
        app2.state
            .store()
            .cluster_any("fake-prod")
            .await
            .unwrap()
            .unwrap()
            .secret
            .is_none(),
        "credentials erased"
    );
    // the old reports stay readable
    let old = app2.ok("query($id: ID!) { report(id: $id) { id mode provider excludedNodes { node reason } } }", json!({ "id": scan["report"]["id"] })).await;
    assert_eq!(old["report"]["mode"], "jobs");
    assert_eq!(old["report"]["provider"], "generic");
    assert_eq!(old["report"]["excludedNodes"][0]["node"], "win-1");
}

#[actix_web::test]
async fn a_cluster_without_linux_nodes_is_refused() {
    let mut f = kubeadm_cluster();
    f.nodes = vec![
        node("win-1", json!({}), "windows", ""),
        node("win-2", json!({}), "windows", ""),
    ];
    let api = FakeApi::start(f);
    let app = TestApp::builder()
        .cluster(live_cluster(&api, fast()).await)
        .spawn()
        .await;
    let scan = app.scan_to_end("live").await;
    assert_eq!(scan["state"], "FAILED");
    assert!(
        scan["message"].as_str().unwrap().contains("no Linux node"),
        "{scan}"
    );
}
