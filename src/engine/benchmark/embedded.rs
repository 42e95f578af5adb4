//! The definition files compiled into the binary: (name under benchmarks/, text).
//! Adding a benchmark, rules file or profile is one line here.

/// A file under benchmarks/, compiled in: (name, text).
macro_rules! embedded {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../benchmarks/", $name)))
    };
}

/// Components' documented defaults.
pub const COMPONENTS: (&str, &str) = embedded!("components.yaml");

/// Rules, shared by every benchmark that names them.
pub const RULES: &[(&str, &str)] = &[
    embedded!("rules/control-plane.yaml"),
    embedded!("rules/etcd.yaml"),
    embedded!("rules/control-plane-config.yaml"),
    embedded!("rules/worker.yaml"),
    embedded!("rules/ciphers.yaml"),
    embedded!("rules/policies.yaml"),
    embedded!("rules/rke2.yaml"),
    embedded!("rules/k3s.yaml"),
    embedded!("rules/managed.yaml"),
    embedded!("rules/eks.yaml"),
    embedded!("rules/gke.yaml"),
    embedded!("rules/aks.yaml"),
];

/// Benchmark versions: generic CIS, then each provider's own.
pub const BENCHMARKS: &[(&str, &str)] = &[
    embedded!("cis-1.8.yaml"),
    embedded!("cis-1.9.yaml"),
    embedded!("cis-1.10.yaml"),
    embedded!("cis-1.11.yaml"),
    embedded!("cis-1.12.yaml"),
    embedded!("cis-2.0.yaml"),
    embedded!("rke2-cis-1.8-hardened.yaml"),
    embedded!("rke2-cis-1.8-permissive.yaml"),
    embedded!("rke2-cis-1.9.yaml"),
    embedded!("rke2-cis-1.10.yaml"),
    embedded!("rke2-cis-1.11.yaml"),
    embedded!("rke2-cis-1.12.yaml"),
    embedded!("k3s-cis-1.8-hardened.yaml"),
    embedded!("k3s-cis-1.8-permissive.yaml"),
    embedded!("k3s-cis-1.9.yaml"),
    embedded!("k3s-cis-1.10.yaml"),
    embedded!("k3s-cis-1.11.yaml"),
    embedded!("k3s-cis-1.12.yaml"),
    embedded!("eks-1.5.0.yaml"),
    embedded!("eks-1.7.0.yaml"),
    embedded!("eks-1.8.0.yaml"),
    embedded!("gke-1.6.0.yaml"),
    embedded!("gke-1.9.0.yaml"),
    embedded!("aks-1.7.yaml"),
    embedded!("aks-1.8.yaml"),
];

/// Profiles: a benchmark plus a named set of skips.
pub const PROFILES: &[(&str, &str)] = &[
    embedded!("profiles/cis-1.9-profile.yaml"),
    embedded!("profiles/cis-1.10-profile.yaml"),
    embedded!("profiles/cis-1.11-profile.yaml"),
    embedded!("profiles/cis-1.12-profile.yaml"),
    embedded!("profiles/eks-profile-1.5.0.yaml"),
    embedded!("profiles/eks-1.5.0-nodes-only.yaml"),
    embedded!("profiles/rke2-cis-1.9-profile.yaml"),
    embedded!("profiles/rke2-cis-1.10-profile.yaml"),
    embedded!("profiles/rke2-cis-1.11-profile.yaml"),
    embedded!("profiles/rke2-cis-1.12-profile.yaml"),
    embedded!("profiles/k3s-cis-1.9-profile.yaml"),
    embedded!("profiles/k3s-cis-1.10-profile.yaml"),
    embedded!("profiles/k3s-cis-1.11-profile.yaml"),
    embedded!("profiles/k3s-cis-1.12-profile.yaml"),
    embedded!("profiles/gke-profile-1.6.0.yaml"),
    embedded!("profiles/aks-profile-1.7.yaml"),
];
