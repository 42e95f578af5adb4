//! A cluster that is known but cannot be scanned, and why: every scan of it
//! fails at once with that reason instead of the cluster silently vanishing.

use super::{ClusterSource, Gathered, NodeProgress};
use crate::error::{Error, Result};

/// A source that refuses to gather, with a reason fit for users (no secrets).
pub struct UnusableSource {
    /// Why scans fail.
    pub reason: String,
    /// What the source would have been ("kubernetes registered cluster prod").
    pub label: String,
}

#[async_trait::async_trait]
impl ClusterSource for UnusableSource {
    fn describe(&self) -> String {
        self.label.clone()
    }

    fn kubernetes_version(&self) -> Option<String> {
        None
    }

    async fn gather(&self, _scan: uuid::Uuid, _progress: NodeProgress<'_>) -> Result<Gathered> {
        Err(Error::Invalid(self.reason.clone()))
    }
}
