//! The one place that decides which benchmark a scan, a skip, a schedule or
//! `cis-scan check` uses, and says why. Every caller goes through [`choose`],
//! so a skip is validated against the benchmark the next scan will run.
//!
//! The rule, as data: each benchmark file names its provider and the
//! Kubernetes versions it covers. An explicit id wins. Otherwise the newest
//! benchmark of the cluster's provider that covers its version; a provider
//! with benchmarks but none for that version takes its nearest one (the newest
//! not newer than the version, else the oldest); a provider with none at all
//! takes the generic choice. A default scan never fails for lack of a profile.

use super::load::parse_kube_version;
use super::{Benchmark, BenchmarkInfo, Catalog, KubeVersion, Provider};
use crate::error::{Error, Result};
use std::sync::Arc;

/// A chosen benchmark and the reason, in words, shown on the report.
#[derive(Debug, Clone)]
pub struct Choice {
    pub benchmark: Arc<Benchmark>,
    /// E.g. "eks-1.7.0 for eks with Kubernetes 1.30" or "asked for cis-1.8".
    pub reason: String,
}

/// Which rule picked the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Covers,
    Nearest,
}

/// The newest of these benchmarks by the oldest Kubernetes version each
/// covers; among equals the first id (infos are sorted by id within a version).
pub(super) fn newest_of(infos: Vec<&BenchmarkInfo>) -> Option<&BenchmarkInfo> {
    let top = infos.iter().filter_map(|i| i.kubernetes_min).max();
    infos.into_iter().find(|i| i.kubernetes_min == top)
}

/// Of a provider's benchmarks, the newest that covers `v`, else the nearest.
fn pick(catalog: &Catalog, provider: Provider, v: KubeVersion) -> Option<(&BenchmarkInfo, Rule)> {
    let own: Vec<&BenchmarkInfo> = catalog.infos().filter(|i| i.provider == provider).collect();
    let covering: Vec<_> = own.iter().copied().filter(|i| i.covers(v)).collect();
    if let Some(i) = newest_of(covering) {
        return Some((i, Rule::Covers));
    }
    let older: Vec<_> = own
        .iter()
        .copied()
        .filter(|i| i.kubernetes_min.is_some_and(|m| m <= v))
        .collect();
    newest_of(older)
        .or_else(|| own.first().copied())
        .map(|i| (i, Rule::Nearest))
}

/// The generic benchmark for a version, or the error a too-old version gets.
pub(super) fn for_version<'a>(
    catalog: &'a Catalog,
    provider: Provider,
    version: &str,
) -> Result<&'a BenchmarkInfo> {
    let v = parse_kube_version(version).ok_or_else(|| {
        Error::Invalid(format!(
            "'{}' is not a Kubernetes version like 1.28",
            crate::error::shown(version)
        ))
    })?;
    match pick(catalog, provider, v) {
        Some((i, Rule::Covers)) => Ok(i),
        _ => {
            let lowest = catalog
                .infos()
                .filter(|i| i.provider == provider)
                .filter_map(|i| i.kubernetes_min)
                .min();
            Err(Error::UnknownBenchmark(match lowest {
                Some((a, b)) => format!(
                    "Kubernetes {}.{} is not supported: benchmarks cover Kubernetes {a}.{b} and newer (use --benchmark to force one)",
                    v.0, v.1
                ),
                None => "no benchmark declares the Kubernetes versions it covers".into(),
            }))
        }
    }
}

/// Chooses a benchmark: an explicit id (a benchmark or a profile) wins; else
/// the provider and Kubernetes version decide as the module says; else
/// (version unknown) the provider's newest benchmark.
pub fn choose(
    catalog: &Catalog,
    explicit: Option<&str>,
    kubernetes_version: Option<&str>,
    provider: Option<&str>,
) -> Result<Choice> {
    if let Some(id) = explicit {
        let benchmark = catalog.get(id)?;
        let reason = match catalog.profiles().iter().find(|p| p.id == id) {
            Some(p) => format!("asked for profile {id} (benchmark {})", p.benchmark),
            None => format!("asked for {}", benchmark.id),
        };
        return Ok(Choice { benchmark, reason });
    }
    // a provider name this build has no benchmarks for ("kubeadm", "minikube") is generic
    let named = provider.and_then(Provider::parse);
    let own = named.filter(|p| catalog.infos().any(|i| i.provider == *p));
    let fallback = |s: String| match named {
        Some(p) if p != Provider::Generic && own.is_none() => {
            format!(
                "{s}; no {} benchmark is shipped, so the generic one applies",
                p.as_str()
            )
        }
        _ => s,
    };
    let Some(version) = kubernetes_version else {
        let p = own.unwrap_or(Provider::Generic);
        let info = catalog
            .newest(p)
            .ok_or_else(|| Error::UnknownBenchmark("no benchmarks loaded".into()))?;
        let benchmark = catalog.get(&info.id)?;
        let reason = fallback(format!(
            "{}, the newest{}, as the Kubernetes version is unknown",
            info.id,
            own.map(|p| format!(" for {}", p.as_str()))
                .unwrap_or_default()
        ));
        return Ok(Choice { benchmark, reason });
    };
    let shown = version.trim().trim_start_matches('v');
    let Some(p) = own.filter(|p| *p != Provider::Generic) else {
        let info = for_version(catalog, Provider::Generic, version)?;
        let benchmark = catalog.get(&info.id)?;
        let reason = fallback(format!("{} for Kubernetes {shown}", info.id));
        return Ok(Choice { benchmark, reason });
    };
    let v = parse_kube_version(version).ok_or_else(|| {
        Error::Invalid(format!(
            "'{}' is not a Kubernetes version like 1.28",
            crate::error::shown(version)
        ))
    })?;
    let (info, rule) = pick(catalog, p, v).expect("the provider has benchmarks");
    let benchmark = catalog.get(&info.id)?;
    let reason = match rule {
        Rule::Covers => format!("{} for {} with Kubernetes {shown}", info.id, p.as_str()),
        Rule::Nearest => format!(
            "{}, the nearest {} benchmark, as none covers Kubernetes {shown} (it covers {})",
            info.id,
            p.as_str(),
            info.range()
        ),
    };
    Ok(Choice { benchmark, reason })
}

#[cfg(test)]
mod tests {
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
        assert_eq!(c.benchmark.id, "cis-1.12");
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
}
