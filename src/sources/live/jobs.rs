//! Node collection with Jobs: one short-lived Job per node, pinned to it,
//! reading the host read-only; the facts come back through the pod log.

use super::LiveSettings;
use crate::engine::facts::NodeFacts;
use crate::error::{Error, Result};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, LogParams, PostParams};
use kube::Client;
use serde_json::json;
use sha2::Digest;
use std::time::Instant;

/// Label on every object cis-scan creates, for cleanup.
pub const LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value.
pub const LABEL_VALUE: &str = "cis-scan";
/// Label naming the scan (its id without dashes) a collector Job belongs to,
/// so a later process can remove what a killed one left.
pub const SCAN_LABEL: &str = "cis-scan/scan";

/// A DNS-1123 job name for a node within a scan.
pub fn job_name(scan: &str, node: &str) -> String {
    let mut clean: String = node
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    clean.truncate(40);
    let hash = hex::encode(sha2::Sha256::digest(node.as_bytes()));
    format!(
        "cis-scan-{}-{}-{}",
        &scan[..8.min(scan.len())],
        clean.trim_matches('-'),
        &hash[..6]
    )
}

/// The Job that collects one node's facts.
pub fn job_spec(settings: &LiveSettings, scan: &str, node: &str) -> Job {
    let mut tolerations = vec![
        json!({ "key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule" }),
        json!({ "key": "node-role.kubernetes.io/master", "operator": "Exists", "effect": "NoSchedule" }),
        json!({ "key": "node-role.kubernetes.io/etcd", "operator": "Exists", "effect": "NoExecute" }),
        json!({ "key": "CriticalAddonsOnly", "operator": "Exists" }),
    ];
    tolerations.extend(settings.tolerations.iter().cloned());
    let labels = json!({ LABEL: LABEL_VALUE, SCAN_LABEL: scan });
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": { "name": job_name(scan, node), "namespace": settings.namespace, "labels": labels },
        "spec": {
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": settings.job_ttl.as_secs(),
            "activeDeadlineSeconds": settings.node_timeout.as_secs(),
            "template": {
                "metadata": { "labels": labels },
                "spec": {
                    "nodeName": node,
                    "hostPID": true,
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": false,
                    // the runtime's default syscall filter: the collector only reads files
                    "securityContext": { "seccompProfile": { "type": "RuntimeDefault" } },
                    "tolerations": tolerations,
                    "containers": [{
                        "name": "collector",
                        "image": settings.image,
                        "command": ["cis-scan", "collect", "--host-root", "/host", "--proc", "/proc", "--node-name", node],
                        "securityContext": {
                            "runAsUser": 0,
                            "readOnlyRootFilesystem": true,
                            "allowPrivilegeEscalation": false,
                            "capabilities": { "drop": ["ALL"], "add": ["DAC_READ_SEARCH", "SYS_PTRACE"] }
                        },
                        "resources": { "requests": { "cpu": "10m", "memory": "32Mi" }, "limits": { "memory": "128Mi" } },
                        "volumeMounts": [{ "name": "host", "mountPath": "/host", "readOnly": true }]
                    }],
                    "volumes": [{ "name": "host", "hostPath": { "path": "/" } }]
                }
            }
        }
    });
    serde_json::from_value(job).expect("the job spec is valid")
}

/// Runs the Job for one node to its end and returns its facts; the Job and its pod are deleted in every case.
pub async fn collect_node(
    client: &Client,
    settings: &LiveSettings,
    scan: &str,
    node: &str,
) -> NodeFacts {
    let jobs: Api<Job> = Api::namespaced(client.clone(), &settings.namespace);
    let name = job_name(scan, node);
    let result = run(client, &jobs, settings, scan, node, &name).await;
    cleanup(client, settings, &name).await;
    match result {
        Ok(mut facts) => {
            facts.node = node.to_string();
            facts
        }
        Err(e) => NodeFacts::failed(node, e.to_string()),
    }
}

async fn run(
    client: &Client,
    jobs: &Api<Job>,
    settings: &LiveSettings,
    scan: &str,
    node: &str,
    name: &str,
) -> Result<NodeFacts> {
    jobs.create(&PostParams::default(), &job_spec(settings, scan, node))
        .await
        .map_err(|e| {
            super::api_error(
                e,
                &format!("create jobs in namespace {}", settings.namespace),
            )
        })?;
    let deadline = Instant::now() + settings.node_timeout;
    loop {
        let job = jobs
            .get(name)
            .await
            .map_err(|e| super::api_error(e, "get jobs"))?;
        let status = job.status.unwrap_or_default();
        if status.succeeded.unwrap_or(0) > 0 {
            break;
        }
        if status.failed.unwrap_or(0) > 0 {
            let why = pod_log(client, settings, name).await.unwrap_or_default();
            return Err(Error::Cluster(format!(
                "collector job {name} failed on node {node}: {}",
                last_line(&why)
            )));
        }
        if Instant::now() > deadline {
            return Err(Error::Cluster(format!(
                "collector job {name} did not finish within {} s on node {node}",
                settings.node_timeout.as_secs()
            )));
        }
        tokio::time::sleep(settings.poll_interval).await;
    }
    let log = pod_log(client, settings, name).await?;
    serde_json::from_str::<NodeFacts>(log.trim()).map_err(|e| {
        // serde quotes offending values: say only where
        Error::Cluster(format!(
            "collector output on node {node} is not a facts document (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// The collector's own last words (cis-scan collect writes one line saying why it
/// failed), bounded and printable: the log comes through the remote API server.
fn last_line(log: &str) -> String {
    let line = log.lines().last().unwrap_or("no log");
    line.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

async fn pod_log(client: &Client, settings: &LiveSettings, job: &str) -> Result<String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &settings.namespace);
    let list = pods
        .list(&ListParams::default().labels(&format!("job-name={job}")))
        .await
        .map_err(|e| super::api_error(e, "list pods"))?;
    let pod = list
        .items
        .into_iter()
        .next()
        .ok_or_else(|| Error::Cluster(format!("job {job} has no pod")))?;
    let name = pod.metadata.name.unwrap_or_default();
    pods.logs(
        &name,
        &LogParams {
            container: Some("collector".into()),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| super::api_error(e, "get pods/log"))
}

/// Deletes a Job and its pods (foreground propagation), ignoring "already gone".
pub async fn cleanup(client: &Client, settings: &LiveSettings, name: &str) {
    let jobs: Api<Job> = Api::namespaced(client.clone(), &settings.namespace);
    if let Err(e) = jobs.delete(name, &DeleteParams::background()).await {
        if !matches!(&e, kube::Error::Api(s) if s.code == 404) {
            // the class only: the error's text may hold the remote server's answer
            let failure = super::errors::classify(&e);
            tracing::warn!(job = name, ?failure, "could not delete collector job");
        }
    }
    let pods: Api<Pod> = Api::namespaced(client.clone(), &settings.namespace);
    let _ = pods
        .delete_collection(
            &DeleteParams::background(),
            &ListParams::default().labels(&format!("job-name={name}")),
        )
        .await;
}

/// The scans that have collector Jobs in `namespace`, from the Jobs' scan label.
pub async fn scans_with_jobs(client: &Client, namespace: &str) -> Result<Vec<uuid::Uuid>> {
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    let selector = format!("{LABEL}={LABEL_VALUE},{SCAN_LABEL}");
    let list = jobs
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| super::api_error(e, &format!("list jobs in namespace {namespace}")))?;
    let mut scans: Vec<uuid::Uuid> = list
        .items
        .iter()
        .filter_map(|j| j.metadata.labels.as_ref()?.get(SCAN_LABEL))
        // Jobs of versions that labelled a random 8-character prefix cannot be matched to a scan: left to their TTL
        .filter_map(|v| uuid::Uuid::parse_str(v).ok())
        .collect();
    scans.sort();
    scans.dedup();
    Ok(scans)
}

/// Deletes every Job and pod labelled with scan `scan` (its id without dashes).
pub async fn delete_scan_objects(client: &Client, namespace: &str, scan: &str) -> Result<()> {
    let lp = ListParams::default().labels(&format!("{SCAN_LABEL}={scan}"));
    let dp = DeleteParams::background();
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    jobs.delete_collection(&dp, &lp)
        .await
        .map_err(|e| super::api_error(e, &format!("delete jobs in namespace {namespace}")))?;
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    pods.delete_collection(&dp, &lp)
        .await
        .map_err(|e| super::api_error(e, &format!("delete pods in namespace {namespace}")))?;
    Ok(())
}
