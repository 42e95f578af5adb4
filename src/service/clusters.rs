//! The clusters a service knows: declared in the configuration, added in code, or
//! registered through the API (whose kubeconfigs are sealed at rest).

use super::settings::Settings;
use super::store::Store;
use crate::error::{Error, Result};
use crate::sources::{self, ClusterSource, SourceSpec};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// A cluster added by code rather than configuration (tests, live sources).
pub struct ExtraCluster {
    pub id: String,
    pub name: String,
    pub source: Arc<dyn ClusterSource>,
}

/// Writes the configured (and extra) clusters to the database, marks others
/// inactive, and returns each cluster's source.
pub async fn sync_clusters(
    store: &Store,
    settings: &Settings,
    extra: Vec<ExtraCluster>,
) -> Result<Vec<(String, Arc<dyn ClusterSource>)>> {
    let mut out = Vec::new();
    for c in &settings.clusters {
        let src = c.build(&settings.kubernetes).await?;
        store
            .upsert_configured_cluster(
                &c.id,
                c.name.as_deref().unwrap_or(&c.id),
                &src.describe(),
                c.benchmark.as_deref(),
            )
            .await?;
        out.push((c.id.clone(), src));
    }
    for c in extra {
        store
            .upsert_cluster(&c.id, &c.name, &c.source.describe())
            .await?;
        out.push((c.id, c.source));
    }
    let ids: Vec<String> = out.iter().map(|(id, _)| id.clone()).collect();
    store.deactivate_other_clusters(&ids).await?;
    Ok(out)
}

/// The source of a cluster registered through the API: its kubeconfig is
/// decrypted only here, and checked again against the policy for API clients
/// (it may have been stored before the policy existed).
pub async fn registered_source(
    settings: &Settings,
    c: &super::store::entity::cluster::Model,
) -> Result<Arc<dyn ClusterSource>> {
    let key = encryption_key(settings)?;
    let sealed = c
        .secret
        .as_deref()
        .ok_or_else(|| Error::Internal(format!("cluster {} has no stored kubeconfig", c.id)))?;
    let kubeconfig = super::secret::open(&key, sealed)?;
    let checked = crate::sources::live::kubeconfig_policy::check(&kubeconfig)?;
    let mut live = settings.kubernetes.clone();
    live.agentless = c.agentless;
    sources::build(
        SourceSpec::Registered {
            id: &c.id,
            kubeconfig: &checked,
        },
        live,
    )
    .await
}

/// The key that seals registered kubeconfigs, or a clear error when none is configured.
pub fn encryption_key(settings: &Settings) -> Result<[u8; 32]> {
    let Some(key) = &settings.encryption.key else {
        return Err(Error::Invalid("registering clusters needs an encryption key: set key under [encryption] (CIS_SCAN_ENCRYPTION__KEY) to base64 of 32 random bytes".into()));
    };
    super::secret::parse_key(key.expose_secret())
}
