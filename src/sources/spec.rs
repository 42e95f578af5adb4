//! One way to build a cluster source from its specification: a snapshot, a
//! kubeconfig file of the operator's, the cluster the service runs in, or a cluster
//! registered through the API (whose kubeconfig passed the API policy).

use super::live::kubeconfig_policy::CheckedKubeconfig;
use super::live::{
    client_from_checked, client_from_kubeconfig, client_in_cluster, LiveSettings, LiveSource,
};
use super::{ClusterSource, SnapshotSource, SourceKind};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a source is built from.
pub enum SourceSpec<'a> {
    /// A snapshot directory holding cluster.yaml, or `builtin:demo`.
    Snapshot(&'a str),
    /// A kubeconfig file of the operator's (configuration file, `check --kubeconfig`):
    /// read as kube reads it, exec plugins included.
    KubeconfigFile {
        path: &'a Path,
        context: Option<&'a str>,
    },
    /// The cluster the service runs in, through its service account.
    InCluster,
    /// A cluster registered through the API: its kubeconfig passed the API policy.
    Registered {
        id: &'a str,
        kubeconfig: &'a CheckedKubeconfig,
    },
}

/// Builds the source a specification names; live sources are read with `live`.
pub async fn build(spec: SourceSpec<'_>, live: LiveSettings) -> Result<Arc<dyn ClusterSource>> {
    Ok(match spec {
        SourceSpec::Snapshot(s) => Arc::new(SnapshotSource::open(s)?),
        SourceSpec::KubeconfigFile { path, context } => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Config(format!("kubeconfig {}: {e}", path.display())))?;
            let client = client_from_kubeconfig(&text, context).await?;
            let label = match context {
                Some(c) => format!("{} context {c}", path.display()),
                None => path.display().to_string(),
            };
            Arc::new(LiveSource::new(client, live, label))
        }
        SourceSpec::InCluster => {
            Arc::new(LiveSource::new(client_in_cluster()?, live, "in-cluster"))
        }
        SourceSpec::Registered { id, kubeconfig } => {
            let client = client_from_checked(kubeconfig, None).await?;
            Arc::new(
                LiveSource::new(client, live, format!("registered cluster {id}"))
                    .of_kind(SourceKind::Registered)
                    .judging_reach(kubeconfig.servers()),
            )
        }
    })
}

/// One cluster as the configuration file declares it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSettings {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// A snapshot directory with cluster.yaml, or `builtin:demo`.
    #[serde(default)]
    pub snapshot: Option<String>,
    /// A kubeconfig file for a live cluster.
    #[serde(default)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: its current context).
    #[serde(default)]
    pub context: Option<String>,
    /// Scan the cluster the service runs in, with its service account.
    #[serde(default)]
    pub in_cluster: bool,
    /// Scan without pods on the nodes (overrides kubernetes.agentless).
    #[serde(default)]
    pub agentless: Option<bool>,
    /// The benchmark (or profile) its scans use unless one is asked for.
    #[serde(default)]
    pub benchmark: Option<String>,
}

impl ClusterSettings {
    /// The specification of its source: exactly one of snapshot, kubeconfig or in_cluster
    /// is set (settings validation refuses anything else).
    pub fn spec(&self) -> SourceSpec<'_> {
        match (&self.snapshot, &self.kubeconfig) {
            (Some(s), _) => SourceSpec::Snapshot(s),
            (None, Some(path)) => SourceSpec::KubeconfigFile {
                path,
                context: self.context.as_deref(),
            },
            (None, None) => SourceSpec::InCluster,
        }
    }

    /// Builds its source; errors name the cluster.
    pub async fn build(&self, live: &LiveSettings) -> Result<Arc<dyn ClusterSource>> {
        let mut live = live.clone();
        if let Some(a) = self.agentless {
            live.agentless = a;
        }
        build(self.spec(), live)
            .await
            .map_err(|e| Error::Config(format!("clusters '{}': {e}", self.id)))
    }
}
