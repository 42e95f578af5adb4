//! The set of benchmark versions available: the embedded ones, plus a user's
//! own from `--benchmark-dir`.

use super::load::{parse_benchmark, parse_components, parse_kube_version, parse_rules};
use super::model::*;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A benchmark file under benchmarks/, compiled in: (name, text).
macro_rules! embedded {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../benchmarks/", $name)))
    };
}

/// Definition files compiled into the binary: (name, text).
const EMBEDDED_COMPONENTS: (&str, &str) = (
    "components.yaml",
    include_str!("../../../benchmarks/components.yaml"),
);
const EMBEDDED_RULES: &[(&str, &str)] = &[
    (
        "rules/control-plane.yaml",
        include_str!("../../../benchmarks/rules/control-plane.yaml"),
    ),
    (
        "rules/etcd.yaml",
        include_str!("../../../benchmarks/rules/etcd.yaml"),
    ),
    (
        "rules/control-plane-config.yaml",
        include_str!("../../../benchmarks/rules/control-plane-config.yaml"),
    ),
    (
        "rules/worker.yaml",
        include_str!("../../../benchmarks/rules/worker.yaml"),
    ),
    (
        "rules/policies.yaml",
        include_str!("../../../benchmarks/rules/policies.yaml"),
    ),
    (
        "rules/rke2.yaml",
        include_str!("../../../benchmarks/rules/rke2.yaml"),
    ),
    (
        "rules/k3s.yaml",
        include_str!("../../../benchmarks/rules/k3s.yaml"),
    ),
];
const EMBEDDED_BENCHMARKS: &[(&str, &str)] = &[
    (
        "cis-1.8.yaml",
        include_str!("../../../benchmarks/cis-1.8.yaml"),
    ),
    (
        "cis-1.9.yaml",
        include_str!("../../../benchmarks/cis-1.9.yaml"),
    ),
    (
        "cis-1.10.yaml",
        include_str!("../../../benchmarks/cis-1.10.yaml"),
    ),
    (
        "cis-1.11.yaml",
        include_str!("../../../benchmarks/cis-1.11.yaml"),
    ),
    (
        "cis-1.12.yaml",
        include_str!("../../../benchmarks/cis-1.12.yaml"),
    ),
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
];

/// All benchmark versions known to this run.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub benchmarks: Vec<Arc<Benchmark>>,
}

struct Sources {
    components: (String, String),
    rules: Vec<(String, String)>,
    benchmarks: Vec<(String, String)>,
}

impl Catalog {
    /// The benchmarks shipped in the binary.
    pub fn embedded() -> Result<Self> {
        Self::build(Self::embedded_sources())
    }

    fn embedded_sources() -> Sources {
        let own = |(a, b): &(&str, &str)| (a.to_string(), b.to_string());
        Sources {
            components: own(&EMBEDDED_COMPONENTS),
            rules: EMBEDDED_RULES.iter().map(own).collect(),
            benchmarks: EMBEDDED_BENCHMARKS.iter().map(own).collect(),
        }
    }

    /// The embedded benchmarks plus a user's own definition texts (file name,
    /// text), in the same format: `components` replaces the embedded defaults,
    /// `rules` add to (or replace, by id) the embedded ones, and `benchmarks`
    /// add versions (replacing one with the same id). Reading them from disk is
    /// [`crate::engine::definitions::load_dir`]'s job; this stays free of I/O.
    pub fn with_definitions(
        components: Option<(String, String)>,
        rules: Vec<(String, String)>,
        benchmarks: Vec<(String, String)>,
    ) -> Result<Self> {
        let mut src = Self::embedded_sources();
        if let Some(c) = components {
            src.components = c;
        }
        src.rules.extend(rules);
        src.benchmarks.extend(benchmarks);
        Self::build(src)
    }

    fn build(src: Sources) -> Result<Self> {
        let components = Arc::new(parse_components(&src.components.0, &src.components.1)?);
        let mut rules: HashMap<String, Arc<Rule>> = HashMap::new();
        for (file, text) in &src.rules {
            let mut ids = std::collections::HashSet::new();
            for rule in parse_rules(file, text)? {
                if !ids.insert(rule.id.clone()) {
                    return Err(Error::Definition {
                        file: file.clone(),
                        check: rule.id,
                        message: "rule id appears twice in this file".into(),
                    });
                }
                rules.insert(rule.id.clone(), Arc::new(rule));
            }
        }
        let mut by_id: BTreeMap<String, Arc<Benchmark>> = BTreeMap::new();
        for (file, text) in &src.benchmarks {
            let b = parse_benchmark(file, text, &rules, components.clone())?;
            by_id.insert(b.id.clone(), Arc::new(b));
        }
        let mut benchmarks: Vec<_> = by_id.into_values().collect();
        benchmarks.sort_by_key(|b| (b.kubernetes_min, b.id.clone()));
        Ok(Catalog { benchmarks })
    }

    /// The benchmark with this id, or an error listing the ones there are.
    pub fn get(&self, id: &str) -> Result<Arc<Benchmark>> {
        self.benchmarks
            .iter()
            .find(|b| b.id == id)
            .cloned()
            .ok_or_else(|| {
                Error::UnknownBenchmark(format!(
                    "unknown benchmark '{id}'; available: {}",
                    self.ids().join(", ")
                ))
            })
    }

    /// Ids of all benchmarks.
    pub fn ids(&self) -> Vec<String> {
        self.benchmarks.iter().map(|b| b.id.clone()).collect()
    }

    /// The benchmark meant for a Kubernetes version such as "1.28" or "v1.30.2".
    pub fn for_kubernetes_version(&self, version: &str) -> Result<Arc<Benchmark>> {
        let v = parse_kube_version(version).ok_or_else(|| {
            Error::Invalid(format!("'{version}' is not a Kubernetes version like 1.28"))
        })?;
        // distribution benchmarks are chosen by provider, never for a generic cluster
        if let Some(b) = self
            .benchmarks
            .iter()
            .find(|b| b.provider == Provider::Generic && b.covers(v))
        {
            return Ok(b.clone());
        }
        let lowest = self
            .benchmarks
            .iter()
            .filter(|b| b.provider == Provider::Generic)
            .filter_map(|b| b.kubernetes_min)
            .min();
        Err(Error::UnknownBenchmark(match lowest {
            Some((a, b)) => format!(
                "Kubernetes {}.{} is not supported: benchmarks cover Kubernetes {a}.{b} and newer (use --benchmark to force one)",
                v.0, v.1
            ),
            None => "no benchmark declares the Kubernetes versions it covers".into(),
        }))
    }

    /// `--benchmark` wins; else the Kubernetes version decides; else the newest benchmark.
    pub fn select(
        &self,
        benchmark: Option<&str>,
        kube_version: Option<&str>,
    ) -> Result<Arc<Benchmark>> {
        match (benchmark, kube_version) {
            (Some(id), _) => self.get(id),
            (None, Some(v)) => self.for_kubernetes_version(v),
            (None, None) => self
                .benchmarks
                .iter()
                .rfind(|b| b.provider == Provider::Generic)
                .cloned()
                .ok_or_else(|| Error::UnknownBenchmark("no benchmarks loaded".into())),
        }
    }
}
