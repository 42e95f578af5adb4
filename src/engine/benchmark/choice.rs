//! The one place that decides which benchmark a scan, a skip, a schedule or
//! `cis-scan check` uses, and says why. Every caller goes through [`choose`],
//! so a skip is validated against the benchmark the next scan will run.
//!
//! The rule, as data: each benchmark file names its provider and the
//! Kubernetes versions it covers. An explicit id wins. Otherwise the newest
//! benchmark of the cluster's provider that covers its version; a version
//! newer than every scope takes the newest benchmark, and the reason says the
//! version is beyond it; a provider with benchmarks but none for that version
//! takes its nearest one (the newest not newer than the version, else the
//! oldest); a provider with none at all takes the generic choice. A default
//! scan never fails for lack of a profile.

use super::load::parse_kube_version;
use super::{Benchmark, BenchmarkInfo, Catalog, KubeVersion, Provider};
use crate::engine::error::{EngineError, Result};
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
pub(super) enum Rule {
    /// Its scope includes the version.
    Covers,
    /// The version is newer than every scope: the newest benchmark.
    Newest,
    /// A version between or before the scopes: the nearest older one, else the oldest.
    Nearest,
}

/// "1.34–1.35" or "1.26": a scope as the reasons write it.
fn scope(i: &BenchmarkInfo) -> String {
    match (i.kubernetes_min, i.kubernetes_max) {
        (Some(a), Some(z)) if a != z => format!("{}.{}–{}.{}", a.0, a.1, z.0, z.1),
        _ => i.range(),
    }
}

/// The reason shown on the report for a benchmark picked by version;
/// `provider` is None for the generic benchmarks.
fn reason(i: &BenchmarkInfo, rule: Rule, provider: Option<Provider>, shown: &str) -> String {
    let name = provider
        .map(|p| format!(" {}", p.as_str()))
        .unwrap_or_default();
    match (rule, provider) {
        (Rule::Covers, None) => format!("{} for Kubernetes {shown}", i.id),
        (Rule::Covers, Some(p)) => format!("{} for {} with Kubernetes {shown}", i.id, p.as_str()),
        (Rule::Newest, None) => format!(
            "{}, the newest; Kubernetes {shown} is newer than its {} scope",
            i.id,
            scope(i)
        ),
        (Rule::Newest, Some(_)) => format!(
            "{}, the newest{name} benchmark; Kubernetes {shown} is newer than its {} scope",
            i.id,
            scope(i)
        ),
        (Rule::Nearest, _) => format!(
            "{}, the nearest{name} benchmark, as none covers Kubernetes {shown} (it covers {})",
            i.id,
            i.range()
        ),
    }
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
    if let Some(i) = newest_of(older) {
        // past the end of every scope, not in a gap between two of them
        let beyond = own.iter().all(|o| o.kubernetes_max.is_some_and(|m| v > m));
        return Some((i, if beyond { Rule::Newest } else { Rule::Nearest }));
    }
    own.first().copied().map(|i| (i, Rule::Nearest))
}

/// The benchmark for a version (the newest when the version is newer than
/// every scope) with the rule that picked it, or the error a version older
/// than every scope gets.
pub(super) fn for_version<'a>(
    catalog: &'a Catalog,
    provider: Provider,
    version: &str,
) -> Result<(&'a BenchmarkInfo, Rule)> {
    let v = parse_kube_version(version).ok_or_else(|| {
        EngineError::Invalid(format!(
            "'{}' is not a Kubernetes version like 1.28",
            crate::engine::error::shown(version)
        ))
    })?;
    match pick(catalog, provider, v) {
        Some((i, rule @ (Rule::Covers | Rule::Newest))) => Ok((i, rule)),
        _ => {
            let lowest = catalog
                .infos()
                .filter(|i| i.provider == provider)
                .filter_map(|i| i.kubernetes_min)
                .min();
            Err(EngineError::UnknownBenchmark(match lowest {
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
            .ok_or_else(|| EngineError::UnknownBenchmark("no benchmarks loaded".into()))?;
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
        let (info, rule) = for_version(catalog, Provider::Generic, version)?;
        let benchmark = catalog.get(&info.id)?;
        let reason = fallback(reason(info, rule, None, shown));
        return Ok(Choice { benchmark, reason });
    };
    let v = parse_kube_version(version).ok_or_else(|| {
        EngineError::Invalid(format!(
            "'{}' is not a Kubernetes version like 1.28",
            crate::engine::error::shown(version)
        ))
    })?;
    let (info, rule) = pick(catalog, p, v).expect("the provider has benchmarks");
    let benchmark = catalog.get(&info.id)?;
    let reason = reason(info, rule, Some(p), shown);
    Ok(Choice { benchmark, reason })
}

#[cfg(test)]
#[path = "choice_tests.rs"]
mod tests;
