//! Discovery and section 5 on a fake cluster of 1,000 nodes and 50,000 pods,
//! through the real kube client over loopback HTTP. Prints peak memory.
//! Run with `cargo bench --bench live`.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::time::{Duration, Instant};

#[path = "../tests/api/support/fakekube.rs"]
#[allow(dead_code)]
mod fakekube;

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn big_cluster() -> fakekube::FakeCluster {
    let mut f = fakekube::FakeCluster {
        git_version: "v1.30.4".into(),
        ..Default::default()
    };
    f.nodes = (0..1000)
        .map(|i| {
            let labels = if i < 3 {
                json!({ "node-role.kubernetes.io/control-plane": "" })
            } else {
                json!({ "node-role.kubernetes.io/worker": "true" })
            };
            fakekube::node(&format!("node-{i}"), labels, "linux", "")
        })
        .collect();
    f.namespaces = (0..200)
        .map(|i| json!({ "metadata": { "name": format!("team-{i}"), "labels": { "team": "x" } } }))
        .collect();
    f.pods = (0..50_000)
        .map(|i| {
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": { "name": format!("app-{i}-7d9f8c6b5-x2x4z"), "namespace": format!("team-{}", i % 200),
                    "labels": { "app": format!("app-{i}"), "pod-template-hash": "7d9f8c6b5" }, "uid": format!("{i:08}-0000-0000-0000-000000000000") },
                "spec": {
                    "serviceAccountName": if i % 3 == 0 { "default" } else { "app" },
                    "nodeName": format!("node-{}", i % 1000),
                    "securityContext": { "runAsNonRoot": i % 2 == 0, "seccompProfile": { "type": "RuntimeDefault" } },
                    "containers": [{ "name": "app", "image": "registry.example/app:1.2.3", "ports": [{ "containerPort": 8080 }],
                        "env": [{ "name": "DB_PASSWORD", "valueFrom": { "secretKeyRef": { "name": "db", "key": "pw" } } }],
                        "resources": { "requests": { "cpu": "100m", "memory": "128Mi" } },
                        "securityContext": { "allowPrivilegeEscalation": i % 5 == 0, "capabilities": { "drop": ["ALL"] }, "privileged": i % 997 == 0 } }],
                    "volumes": [{ "name": "config", "configMap": { "name": "app" } }]
                },
                "status": { "phase": "Running" }
            })
        })
        .collect();
    f
}

fn bench(c: &mut Criterion) {
    let api = fakekube::FakeApi::start(big_cluster());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt
        .block_on(cis_scan::sources::live::client_from_kubeconfig(
            &api.kubeconfig(),
            None,
        ))
        .unwrap();
    let base = peak_rss_mib();
    let mut g = c.benchmark_group("live");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("discovery: version, 1000 nodes, provider and roles", |b| {
        b.iter(|| {
            rt.block_on(async {
                use k8s_openapi::api::core::v1::Node;
                let v = client.apiserver_version().await.unwrap();
                let nodes = kube::Api::<Node>::all(client.clone())
                    .list(&Default::default())
                    .await
                    .unwrap()
                    .items;
                let p = cis_scan::sources::live::discovery::provider(&v.git_version, &nodes);
                let roles: usize = nodes
                    .iter()
                    .map(|n| cis_scan::sources::live::discovery::roles(n).len())
                    .sum();
                (p, roles)
            })
        })
    });
    let mut assess_time = Duration::ZERO;
    let mut runs = 0u32;
    g.bench_function(
        "section 5: list 50000 pods in pages and assess every policy",
        |b| {
            b.iter(|| {
                let facts = rt.block_on(cis_scan::sources::live::policies::cluster_facts(&client));
                let t = Instant::now();
                let names = [
                    "privileged-containers",
                    "privilege-escalation",
                    "root-containers",
                    "secrets-in-env",
                    "default-service-accounts",
                    "token-automount",
                    "seccomp-profiles",
                    "namespace-network-policies",
                    "pod-security-admission",
                    "host-ports",
                ];
                let out: Vec<_> = names
                    .iter()
                    .map(|n| {
                        let p = cis_scan::engine::benchmark::PolicyName::parse(n).unwrap();
                        cis_scan::engine::eval::policy::assess(p, &facts)
                    })
                    .collect();
                assess_time += t.elapsed();
                runs += 1;
                assert_eq!(facts.pods.len(), 50_000);
                out
            })
        },
    );
    g.finish();
    println!(
        "section 5 assessments alone (10 policies over 50,000 pods): {:.1} ms per run",
        assess_time.as_secs_f64() * 1000.0 / runs.max(1) as f64
    );
    println!("peak RSS of the bench process: {} MiB (before the benchmarks: {base} MiB; includes the fake API server's 50,000 pod objects)", peak_rss_mib());
    whole_scan_in_its_own_process(&api);
}

/// The whole `check --kubeconfig --agentless` pipeline in a separate process, so
/// its peak memory excludes the fake server: discovery, 1,000 nodes, 50,000 pods, evaluation.
fn whole_scan_in_its_own_process(api: &fakekube::FakeApi) {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/cis-scan");
    if !bin.exists() || !std::path::Path::new("/usr/bin/time").exists() {
        println!("whole scan: skipped (needs target/release/cis-scan and /usr/bin/time)");
        return;
    }
    let dir = tempfile::TempDir::new().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, api.kubeconfig()).unwrap();
    let t = Instant::now();
    let o = std::process::Command::new("/usr/bin/time")
        .args(["-f", "maxrss_kib=%M"])
        .arg(&bin)
        .args([
            "check",
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--agentless",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let rss = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kib="))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    println!(
        "whole agentless scan of 1000 nodes and 50000 pods in its own process: {:.2} s, peak RSS {} MiB, {} checks, {} nodes",
        t.elapsed().as_secs_f64(),
        rss / 1024,
        report["summary"]["total"],
        report["nodes"].as_array().map(|a| a.len()).unwrap_or(0)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
