//! Unit tests of the benchmark choice against the embedded catalog.

use super::*;

fn catalog() -> Catalog {
    Catalog::embedded().expect("embedded benchmarks load")
}

fn id(c: Result<Choice>) -> String {
    c.unwrap().benchmark.id.clone()
}

#[test]
fn an_explicit_benchmark_wins_over_the_version_and_provider() {
    let c = choose(&catalog(), Some("cis-1.8"), Some("1.30"), Some("eks")).unwrap();
    assert_eq!(c.benchmark.id, "cis-1.8");
    assert_eq!(c.reason, "asked for cis-1.8");
}

#[test]
fn the_kubernetes_version_decides_for_a_generic_cluster() {
    let c = choose(&catalog(), None, Some("v1.30.2"), None).unwrap();
    assert_eq!(c.benchmark.id, "cis-1.11");
    assert_eq!(c.reason, "cis-1.11 for Kubernetes 1.30.2");
}

#[test]
fn an_eks_cluster_gets_the_eks_benchmark_covering_its_version() {
    let cat = catalog();
    assert_eq!(
        id(choose(&cat, None, Some("1.28"), Some("eks"))),
        "eks-1.5.0"
    );
    assert_eq!(
        id(choose(&cat, None, Some("1.29"), Some("eks"))),
        "eks-1.7.0"
    );
    let c = choose(&cat, None, Some("1.30"), Some("eks")).unwrap();
    assert_eq!(c.benchmark.id, "eks-1.7.0");
    assert_eq!(c.reason, "eks-1.7.0 for eks with Kubernetes 1.30");
    assert_eq!(
        id(choose(&cat, None, Some("1.33"), Some("eks"))),
        "eks-1.8.0"
    );
}

#[test]
fn a_provider_version_no_benchmark_covers_takes_the_nearest_and_says_so() {
    let cat = catalog();
    let c = choose(&cat, None, Some("1.20"), Some("eks")).unwrap();
    assert_eq!(c.benchmark.id, "eks-1.5.0", "older than all: the oldest");
    assert!(
        c.reason.contains("the nearest eks benchmark"),
        "{}",
        c.reason
    );
    assert!(
        c.reason.contains("none covers Kubernetes 1.20"),
        "{}",
        c.reason
    );
}

#[test]
fn a_provider_without_benchmarks_falls_back_to_the_generic_choice() {
    let c = choose(&catalog(), None, Some("1.30"), Some("kubeadm")).unwrap();
    assert_eq!(c.benchmark.id, "cis-1.11");
    assert_eq!(c.reason, "cis-1.11 for Kubernetes 1.30");
}

#[test]
fn an_unknown_version_takes_the_providers_newest_and_says_so() {
    let cat = catalog();
    let c = choose(&cat, None, None, Some("kubeadm")).unwrap();
    assert_eq!(c.benchmark.id, "cis-2.0");
    assert!(c.reason.contains("version is unknown"), "{}", c.reason);
    let e = choose(&cat, None, None, Some("eks")).unwrap();
    assert_eq!(e.benchmark.id, "eks-1.8.0");
    assert!(e.reason.contains("newest for eks"), "{}", e.reason);
}

#[test]
fn rke2_and_k3s_get_their_own_benchmark_for_each_version() {
    let cat = catalog();
    for (p, v, want) in [
        ("rke2", "1.26", "rke2-cis-1.8-hardened"),
        ("rke2", "1.27", "rke2-cis-1.9"),
        ("rke2", "1.28", "rke2-cis-1.10"),
        ("rke2", "1.31", "rke2-cis-1.11"),
        ("rke2", "1.34", "rke2-cis-1.12"),
        ("k3s", "1.26", "k3s-cis-1.8-hardened"),
        ("k3s", "1.30", "k3s-cis-1.11"),
        ("k3s", "1.32", "k3s-cis-1.12"),
        ("gke", "1.30", "gke-1.6.0"),
        ("gke", "1.31", "gke-1.9.0"),
        ("aks", "1.28", "aks-1.7"),
        ("aks", "1.32", "aks-1.8"),
    ] {
        assert_eq!(id(choose(&cat, None, Some(v), Some(p))), want, "{p} {v}");
    }
}

#[test]
fn kubernetes_1_33_keeps_cis_1_12() {
    let c = choose(&catalog(), None, Some("1.33"), None).unwrap();
    assert_eq!(c.benchmark.id, "cis-1.12");
    assert_eq!(c.reason, "cis-1.12 for Kubernetes 1.33");
}

#[test]
fn kubernetes_1_34_and_1_35_get_cis_2_0_as_covered() {
    let cat = catalog();
    for v in ["1.34", "v1.35.2"] {
        let c = choose(&cat, None, Some(v), None).unwrap();
        assert_eq!(c.benchmark.id, "cis-2.0", "{v}");
        let shown = v.trim_start_matches('v');
        assert_eq!(c.reason, format!("cis-2.0 for Kubernetes {shown}"));
    }
}

#[test]
fn a_version_newer_than_every_scope_gets_the_newest_and_says_so() {
    let c = choose(&catalog(), None, Some("1.37"), None).unwrap();
    assert_eq!(c.benchmark.id, "cis-2.0");
    assert_eq!(
        c.reason,
        "cis-2.0, the newest; Kubernetes 1.37 is newer than its 1.34–1.35 scope"
    );
}

#[test]
fn rke2_and_k3s_without_a_2_0_keep_their_newest_and_say_the_version_is_beyond_it() {
    let cat = catalog();
    for p in ["rke2", "k3s"] {
        let c = choose(&cat, None, Some("1.35"), Some(p)).unwrap();
        assert_eq!(c.benchmark.id, format!("{p}-cis-1.12"));
        assert_eq!(
            c.reason,
            format!("{p}-cis-1.12, the newest {p} benchmark; Kubernetes 1.35 is newer than its 1.32–1.33 scope")
        );
    }
}

#[test]
fn a_version_in_a_gap_between_scopes_is_still_the_nearest_not_the_newest() {
    let c = choose(&catalog(), None, Some("1.30"), Some("gke")).unwrap();
    assert_eq!(c.benchmark.id, "gke-1.6.0");
    assert!(
        c.reason.contains("the nearest gke benchmark"),
        "{}",
        c.reason
    );
}

#[test]
fn a_generic_version_older_than_every_scope_is_refused() {
    let e = choose(&catalog(), None, Some("1.20"), None).unwrap_err();
    assert!(e.to_string().contains("1.26 and newer"), "{e}");
}

#[test]
fn a_profile_asked_for_is_named_with_its_benchmark() {
    let c = choose(&catalog(), Some("eks-1.5.0-nodes-only"), Some("1.30"), None).unwrap();
    assert_eq!(c.benchmark.id, "eks-1.5.0-nodes-only");
    assert_eq!(
        c.reason,
        "asked for profile eks-1.5.0-nodes-only (benchmark eks-1.5.0)"
    );
    let skip = c.benchmark.check("5.1.1").unwrap().skip.as_deref().unwrap();
    assert!(skip.contains("only worker node checks"), "{skip}");
    assert_eq!(c.benchmark.check("3.1.1").unwrap().skip, None);
}

#[test]
fn an_unknown_explicit_benchmark_is_an_error_listing_the_known_ones() {
    let e = choose(&catalog(), Some("cis-0.1"), None, None).unwrap_err();
    assert!(e.to_string().contains("cis-1.8"), "{e}");
    assert!(e.to_string().contains("eks-1.7.0"), "{e}");
}
