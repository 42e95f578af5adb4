//! Registering live clusters through the API: the kubeconfig is checked
//! against the policy for API clients (`live::kubeconfig_policy`), sealed with the configured key, stored, and the cluster becomes scannable.

use crate::error::{shown, Error, Result};
use crate::service::principal::Principal;
use crate::service::store::entity::cluster::{self, ClusterOrigin};
use crate::service::{clusters::encryption_key, Service};
use crate::sources::live::kubeconfig_policy;

fn admin_only(p: &Principal) -> Result<()> {
    p.require_admin("only administrators may register or remove clusters")
}

/// Longest display name of a registered cluster (characters).
pub const MAX_CLUSTER_NAME: usize = 100;

/// A display name must be 1 to [`MAX_CLUSTER_NAME`] printable characters: it is
/// stored and shown in every listing, export file name and alert.
fn check_name(name: &str) -> Result<()> {
    if name.chars().count() > MAX_CLUSTER_NAME || name.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "name must be at most {MAX_CLUSTER_NAME} printable characters"
        )));
    }
    Ok(())
}

/// A cluster id from a display name: lowercase letters, digits and '-'.
pub fn slug(name: &str) -> String {
    let s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(63)
        .collect()
}

/// Registers a live cluster by kubeconfig (administrators only).
pub async fn register(
    app: &Service,
    by: &Principal,
    name: &str,
    kubeconfig: &str,
    context: Option<&str>,
    agentless: Option<bool>,
) -> Result<cluster::Model> {
    admin_only(by)?;
    check_name(name)?;
    let id = slug(name);
    if id.is_empty() {
        return Err(Error::Invalid(
            "name needs at least one letter or digit".into(),
        ));
    }
    if app.store().cluster_any(&id).await?.is_some() {
        return Err(Error::Invalid(format!(
            "a cluster with id '{id}' exists already"
        )));
    }
    let key = encryption_key(&app.settings)?;
    // the policy runs first: nothing is built, run, read or stored before it passes
    let mut checked = kubeconfig_policy::check(kubeconfig)?;
    if let Some(c) = context {
        // the stored text alone says how to connect
        checked = checked.with_current_context(c)?;
    }
    // where the servers really are, before anything is stored or connects
    let allow_loopback = app.settings.kubernetes.allow_loopback_servers;
    crate::sources::live::kubeconfig_reach::check_reach(&checked.servers(), allow_loopback).await?;
    let sealed = super::secret::seal(&key, &checked.to_json())?;
    let mut live = app.settings.kubernetes.clone();
    live.agentless = agentless.unwrap_or(live.agentless);
    let agentless = live.agentless;
    let spec = crate::sources::SourceSpec::Registered {
        id: &id,
        kubeconfig: &checked,
    };
    let source = crate::sources::build(spec, live)
        .await
        .map_err(|e| Error::Invalid(format!("the kubeconfig cannot be used: {e}")))?;
    let describe = source.describe();
    let row = app
        .store()
        .insert_registered_cluster(&id, name, &describe, &sealed, agentless)
        .await?;
    app.scanner.register(&id, source);
    Ok(row)
}

/// Removes a registered cluster and erases its credentials; its reports stay.
pub async fn remove(app: &Service, by: &Principal, id: &str) -> Result<bool> {
    admin_only(by)?;
    match app.store().cluster(id).await? {
        None => Err(Error::NotFound(format!("no cluster '{}'", shown(id)))),
        Some(c) if c.origin != ClusterOrigin::Api => Err(Error::Invalid(format!(
            "cluster '{}' is declared in the configuration; remove it there",
            c.id
        ))),
        Some(c) => {
            app.store().remove_registered_cluster(&c.id).await?;
            app.scanner.unregister(&c.id);
            Ok(true)
        }
    }
}

/// Sets (or, with None, clears) the benchmark or profile a cluster's scans use
/// unless one is asked for. Anyone who may see the cluster may set it; a
/// cluster declared in the configuration takes it from its `benchmark` key.
pub async fn set_benchmark(
    app: &Service,
    by: &Principal,
    cluster_id: &str,
    benchmark: Option<&str>,
) -> Result<cluster::Model> {
    let c = app.visible_cluster(cluster_id, by).await?;
    if c.origin != ClusterOrigin::Api {
        return Err(Error::Invalid(format!(
            "cluster '{cluster_id}' is declared in the configuration; set its benchmark key there"
        )));
    }
    if let Some(b) = benchmark {
        // an unknown id is refused with the list of known ones
        app.scanner.catalog.get(b)?;
    }
    app.store()
        .set_cluster_benchmark(cluster_id, benchmark)
        .await?;
    app.store()
        .cluster(cluster_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no cluster '{cluster_id}'")))
}
