//! The definition files compiled into the binary: (name under benchmarks/, text).
//! Adding a benchmark, rules file or profile is one line here. The text is the
//! file converted to JSON by `build.rs` (read ten times faster than its YAML;
//! the loader takes either), or the YAML itself when it does not parse.

/// A file under benchmarks/, compiled in: (name, text).
macro_rules! embedded {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(env!("OUT_DIR"), "/definitions/", $name, ".json")),
        )
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

#[cfg(test)]
mod tests {
    use super::super::load::parse_definition;
    use super::super::raw::{RawBenchmark, RawComponents, RawExtension, RawRules};
    use super::*;

    /// A shipped file as its YAML and as the JSON `build.rs` made of it, each read
    /// into the loader's raw type for that kind of file and printed.
    fn both_ways(name: &str, json: &str) -> (String, String) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benchmarks/");
        let yaml = std::fs::read_to_string(format!("{path}{name}")).unwrap();
        assert!(json.starts_with("{\""), "{name} was not converted to JSON");
        fn read<T: serde::de::DeserializeOwned + std::fmt::Debug>(n: &str, t: &str) -> String {
            format!("{:?}", parse_definition::<T>(n, t).unwrap())
        }
        let read_both = |f: fn(&str, &str) -> String| (f(name, &yaml), f(name, json));
        if name == COMPONENTS.0 {
            read_both(read::<RawComponents>)
        } else if name.starts_with("rules/") {
            read_both(read::<RawRules>)
        } else if name.starts_with("profiles/") {
            let p = |t: &str| format!("{:?}", super::super::profile::parse_profile(name, t));
            (p(&yaml), p(json))
        } else if yaml.lines().any(|l| l.starts_with("extends:")) {
            read_both(read::<RawExtension>)
        } else {
            read_both(read::<RawBenchmark>)
        }
    }

    #[test]
    fn every_embedded_definition_reads_the_same_as_json_as_its_yaml() {
        let all = std::iter::once(&COMPONENTS)
            .chain(RULES)
            .chain(BENCHMARKS)
            .chain(PROFILES);
        for (name, json) in all {
            let (from_yaml, from_json) = both_ways(name, json);
            assert_eq!(from_yaml, from_json, "{name}");
        }
    }

    #[test]
    fn a_yaml_text_that_starts_like_json_but_is_not_is_read_as_yaml() {
        let text = "{\"id\": mine, title: My benchmark}";
        let v: serde_json::Value = parse_definition("mine.yaml", text).unwrap();
        assert_eq!(v["title"], "My benchmark");
    }
}
