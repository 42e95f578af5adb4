//! The Kubernetes manifests pass strict validation: the Prometheus Operator kinds
//! against the openAPIV3Schema of their published CRDs (vendored in
//! tests/api/fixtures/monitoring/crds with their provenance), every built-in kind
//! of deploy/ through k8s-openapi's Kubernetes 1.33 types; and the ServiceMonitor
//! reaches the Service with the token the Deployment reads.

use crate::monitoring::rules::{repo_file, yaml};
use crate::support::schema::{object_meta, round_trip, validate};
use k8s_openapi::api::{apps, core, rbac};
use serde_json::Value;

fn docs(file: &str) -> Vec<Value> {
    serde_saphyr::from_str_multiple::<Value, Vec<Value>>(&repo_file(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

#[test]
fn the_monitoring_custom_resources_pass_their_crd_schemas() {
    for (file, kind, schema) in [
        (
            "deploy/monitoring/servicemonitor.yaml",
            "ServiceMonitor",
            "servicemonitor.v1.schema.yaml",
        ),
        (
            "deploy/monitoring/prometheusrule.yaml",
            "PrometheusRule",
            "prometheusrule.v1.schema.yaml",
        ),
    ] {
        let schema = yaml(&format!("tests/api/fixtures/monitoring/crds/{schema}"));
        let doc = &docs(file)[0];
        assert_eq!(doc["apiVersion"], "monitoring.coreos.com/v1", "{file}");
        assert_eq!(doc["kind"], kind, "{file}");
        let errors = validate(&schema, doc);
        assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
        object_meta(doc).unwrap_or_else(|e| panic!("{file} metadata: {e}"));
        assert!(
            doc["metadata"]["namespace"].is_string(),
            "{file}: namespaced"
        );
    }
}

#[test]
fn a_misspelt_field_fails_the_servicemonitor_schema() {
    let schema = yaml("tests/api/fixtures/monitoring/crds/servicemonitor.v1.schema.yaml");
    let mut doc = docs("deploy/monitoring/servicemonitor.yaml").remove(0);
    doc["spec"]["endpoints"][0]["intervall"] = "60s".into();
    doc["spec"]["endpoints"][0]["scheme"] = "ftp".into();
    let errors = validate(&schema, &doc);
    assert_eq!(errors.len(), 2, "{errors:?}");
}

/// A built-in object, strictly, through its Kubernetes 1.33 type.
fn built_in(doc: &Value) -> Result<(), String> {
    match doc["kind"].as_str().unwrap_or_default() {
        "Namespace" => round_trip::<core::v1::Namespace>(doc),
        "ServiceAccount" => round_trip::<core::v1::ServiceAccount>(doc),
        "ConfigMap" => round_trip::<core::v1::ConfigMap>(doc),
        "Secret" => round_trip::<core::v1::Secret>(doc),
        "Service" => round_trip::<core::v1::Service>(doc),
        "PersistentVolumeClaim" => round_trip::<core::v1::PersistentVolumeClaim>(doc),
        "Deployment" => round_trip::<apps::v1::Deployment>(doc),
        "StatefulSet" => round_trip::<apps::v1::StatefulSet>(doc),
        "ClusterRole" => round_trip::<rbac::v1::ClusterRole>(doc),
        "ClusterRoleBinding" => round_trip::<rbac::v1::ClusterRoleBinding>(doc),
        "Role" => round_trip::<rbac::v1::Role>(doc),
        "RoleBinding" => round_trip::<rbac::v1::RoleBinding>(doc),
        other => Err(format!("no Kubernetes 1.33 type checked for kind {other}")),
    }
}

#[test]
fn every_built_in_manifest_passes_the_kubernetes_1_33_types_strictly() {
    let mut checked = 0;
    for file in [
        "deploy/cis-scan.yaml",
        "deploy/postgres.yaml",
        "deploy/agentless-rbac.yaml",
    ] {
        for doc in docs(file) {
            let name = format!("{file}: {} {}", doc["kind"], doc["metadata"]["name"]);
            built_in(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
            checked += 1;
        }
    }
    assert!(checked >= 12, "{checked}");
}

#[test]
fn the_servicemonitor_scrapes_the_service_with_the_token_the_deployment_reads() {
    let all = docs("deploy/cis-scan.yaml");
    let find = |kind: &str| {
        all.iter()
            .find(|d| d["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind}"))
    };
    let (service, deployment) = (find("Service"), find("Deployment"));
    let monitor = &docs("deploy/monitoring/servicemonitor.yaml")[0];
    let spec = &monitor["spec"];
    for (k, v) in spec["selector"]["matchLabels"].as_object().unwrap() {
        assert_eq!(
            &service["metadata"]["labels"][k], v,
            "the Service carries the selected label {k}"
        );
    }
    assert_eq!(
        monitor["metadata"]["namespace"],
        service["metadata"]["namespace"]
    );
    let endpoint = &spec["endpoints"][0];
    let ports = service["spec"]["ports"].as_array().unwrap();
    assert!(
        ports.iter().any(|p| p["name"] == endpoint["port"]),
        "a Service port named {}",
        endpoint["port"]
    );
    assert_eq!(endpoint["path"], "/metrics");
    let credentials = &endpoint["authorization"]["credentials"];
    let env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap();
    let token = env
        .iter()
        .find(|e| e["name"] == "CIS_SCAN_METRICS_TOKEN")
        .expect("the Deployment reads the metrics token");
    let from = &token["valueFrom"]["secretKeyRef"];
    assert_eq!(
        (&from["name"], &from["key"]),
        (&credentials["name"], &credentials["key"])
    );
}
