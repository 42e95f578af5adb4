//! What a benchmark file's header says (id, title, provider, the Kubernetes
//! versions it is meant for), known without parsing its checks: what the
//! catalog lists and chooses by, and what an extending benchmark names.

use super::model::{KubeVersion, Provider};

/// What a benchmark file's header says, known without parsing its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkInfo {
    pub id: String,
    pub title: String,
    pub provider: Provider,
    pub kubernetes_min: Option<KubeVersion>,
    pub kubernetes_max: Option<KubeVersion>,
    /// The benchmark whose checks this one takes (`extends:`), if any.
    pub extends: Option<String>,
}

impl BenchmarkInfo {
    /// True when this benchmark is meant for that Kubernetes version.
    pub fn covers(&self, v: KubeVersion) -> bool {
        self.kubernetes_min.is_some_and(|min| v >= min)
            && self.kubernetes_max.is_none_or(|max| v <= max)
    }

    /// "1.29-1.31", "1.32+", "1.27" or "-".
    pub fn range(&self) -> String {
        match (self.kubernetes_min, self.kubernetes_max) {
            (Some(a), Some(z)) if a == z => format!("{}.{}", a.0, a.1),
            (Some(a), Some(z)) => format!("{}.{}-{}.{}", a.0, a.1, z.0, z.1),
            (Some(a), None) => format!("{}.{}+", a.0, a.1),
            _ => "-".into(),
        }
    }
}
