//! The one place that decides which benchmark a scan, a skip, a schedule or
//! `cis-scan check` uses, and says why. Every caller goes through [`choose`],
//! so a skip is validated against the benchmark the next scan will run.

use super::{Benchmark, Catalog};
use crate::error::Result;
use std::sync::Arc;

/// A chosen benchmark and the reason, in words, shown on the report.
#[derive(Debug, Clone)]
pub struct Choice {
    pub benchmark: Arc<Benchmark>,
    /// E.g. "cis-1.11 for Kubernetes 1.30" or "asked for cis-1.8".
    pub reason: String,
}

/// Providers with a CIS benchmark of their own, which is not shipped here.
const OWN_BENCHMARK: &[&str] = &["eks", "gke", "aks"];

/// Chooses a benchmark: an explicit id wins; else the Kubernetes version
/// decides; else (version unknown) the newest benchmark. The provider does not
/// change the choice (only the Kubernetes benchmarks are shipped; checks of a
/// managed control plane are NOT_APPLICABLE), but where CIS publishes a
/// benchmark of the provider's own the reason says that it was not used.
pub fn choose(
    catalog: &Catalog,
    explicit: Option<&str>,
    kubernetes_version: Option<&str>,
    provider: Option<&str>,
) -> Result<Choice> {
    let on = |s: String| match provider {
        Some(p) if OWN_BENCHMARK.contains(&p) => {
            format!("{s}; no {p} benchmark is shipped, so the Kubernetes one applies")
        }
        _ => s,
    };
    if let Some(id) = explicit {
        let benchmark = catalog.get(id)?;
        let reason = format!("asked for {}", benchmark.id);
        return Ok(Choice { benchmark, reason });
    }
    if let Some(v) = kubernetes_version {
        let benchmark = catalog.for_kubernetes_version(v)?;
        let shown = v.trim_start_matches('v');
        let reason = on(format!("{} for Kubernetes {shown}", benchmark.id));
        return Ok(Choice { benchmark, reason });
    }
    let benchmark = catalog.select(None, None)?;
    let reason = on(format!(
        "{}, the newest, as the Kubernetes version is unknown",
        benchmark.id
    ));
    Ok(Choice { benchmark, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::embedded().expect("embedded benchmarks load")
    }

    #[test]
    fn an_explicit_benchmark_wins_over_the_version() {
        let c = choose(&catalog(), Some("cis-1.8"), Some("1.30"), None).unwrap();
        assert_eq!(c.benchmark.id, "cis-1.8");
        assert_eq!(c.reason, "asked for cis-1.8");
    }

    #[test]
    fn the_kubernetes_version_decides_without_an_explicit_benchmark() {
        let c = choose(&catalog(), None, Some("v1.30.2"), None).unwrap();
        assert_eq!(c.benchmark.id, "cis-1.11");
        assert_eq!(c.reason, "cis-1.11 for Kubernetes 1.30.2");
    }

    #[test]
    fn a_provider_with_its_own_cis_benchmark_is_named_in_the_reason() {
        let c = choose(&catalog(), None, Some("1.30"), Some("eks")).unwrap();
        assert_eq!(
            c.reason,
            "cis-1.11 for Kubernetes 1.30; no eks benchmark is shipped, so the Kubernetes one applies"
        );
    }

    #[test]
    fn an_unknown_version_takes_the_newest_and_says_so() {
        let c = choose(&catalog(), None, None, Some("kubeadm")).unwrap();
        assert_eq!(c.benchmark.id, "cis-1.12", "the newest generic benchmark");
        assert!(c.reason.contains("version is unknown"), "{}", c.reason);
    }

    #[test]
    fn an_unknown_explicit_benchmark_is_an_error_listing_the_known_ones() {
        let e = choose(&catalog(), Some("cis-0.1"), None, None).unwrap_err();
        assert!(e.to_string().contains("cis-1.8"), "{e}");
    }
}
