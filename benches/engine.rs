//! Engine benchmarks: evaluating a full benchmark for 1,000 nodes, and
//! collecting one node's facts from a host root.
//! Run with `cargo bench --bench engine`.

use cis_scan::engine::benchmark::Catalog;
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../tests/api/support/hostroot.rs"]
#[allow(dead_code)]
mod hostroot;
#[path = "../tests/api/support/kubeadm.rs"]
#[allow(dead_code)]
mod kubeadm;
#[path = "nodes_source.rs"]
mod nodes_source;

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded().unwrap();
    let b = catalog.get("cis-1.8").unwrap();
    let cp = hostroot::HostRoot::new();
    kubeadm::control_plane(&cp);
    let w = hostroot::HostRoot::new();
    kubeadm::worker(&w);
    // 3 control planes and 997 workers, each with its own name
    let nodes: Vec<_> = (0..1000)
        .map(|i| {
            if i < 3 {
                cp.collect(&format!("cp-{i}"))
            } else {
                w.collect(&format!("worker-{i}"))
            }
        })
        .collect();
    // the same control plane among 500 unrelated processes, as on a real node
    let busy = hostroot::HostRoot::new();
    kubeadm::control_plane(&busy);
    for pid in 2000..2500 {
        busy.process(
            pid,
            &[
                "/usr/bin/containerd-shim-runc-v2",
                "-namespace",
                "k8s.io",
                "-id",
                "abc",
            ],
        );
    }
    let mut g = c.benchmark_group("engine");
    g.sample_size(20);
    // through the one pipeline; the figure includes cloning the 1,000 nodes' facts
    let rt = tokio::runtime::Runtime::new().unwrap();
    let source = nodes_source::NodesSource(nodes);
    g.bench_function("scan cis-1.8 x 1000 nodes (pipeline)", |bch| {
        bch.iter(|| rt.block_on(nodes_source::scan(&catalog, &source, &b.id)))
    });
    g.bench_function("collect kubeadm control plane", |bch| {
        bch.iter(|| cp.collect("cp"))
    });
    g.bench_function("collect control plane among 500 processes", |bch| {
        bch.iter(|| busy.collect("cp"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
