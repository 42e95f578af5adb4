//! The demo cluster shipped in the binary is what the collector makes of the
//! fixture nodes. `REGENERATE_DEMO=1 cargo test --test api demo` rewrites it.

use crate::support::hostroot::HostRoot;
use crate::support::kubeadm;
use cis_scan::engine::facts::NodeFacts;

fn demo_nodes() -> Vec<(&'static str, NodeFacts)> {
    let cp = HostRoot::new();
    kubeadm::control_plane(&cp);
    let w = HostRoot::new();
    kubeadm::worker(&w);
    // a worker with its read-only port open, anonymous access on, and a readable kubeconfig
    w.file(
        "/var/lib/kubelet/config.yaml",
        &kubeadm::KUBELET_CONFIG
            .replace("enabled: false", "enabled: true")
            .replace("rotateCertificates: true\n", "readOnlyPort: 10255\n"),
        0o644,
    )
    .chmod("/etc/kubernetes/kubelet.conf", 0o644);
    vec![
        ("cp-1.json", cp.collect("cp-1")),
        ("worker-1.json", w.collect("worker-1")),
    ]
}

fn normalise(mut f: NodeFacts) -> String {
    f.collected_at = None;
    serde_json::to_string_pretty(&f)
        .unwrap()
        .replace("v1.26.3", "v1.30.4")
        + "\n"
}

#[test]
fn shipped_demo_matches_the_collector() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/demo");
    for (file, facts) in demo_nodes() {
        let want = normalise(facts);
        let path = dir.join(file);
        if std::env::var_os("REGENERATE_DEMO").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            have, want,
            "{file} is stale: run REGENERATE_DEMO=1 cargo test --test api demo"
        );
    }
}
