//! Registering and removing live clusters (administrators only).

use super::context::{principal, state};
use super::errors::{coded, gql};
use super::types::Cluster;
use crate::domain::Principal;
use async_graphql::{Context, Object, Result, ID};

/// Cluster registration mutations.
#[derive(Default)]
pub struct RegistryMutation;

fn admin_only(p: &Principal) -> Result<()> {
    match p {
        Principal::Admin { .. } => Ok(()),
        Principal::Owner { .. } => Err(coded(
            "FORBIDDEN",
            "only administrators may register or remove clusters",
        )),
    }
}

/// A cluster id from a display name: lowercase letters, digits and '-'.
fn slug(name: &str) -> String {
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

#[Object]
impl RegistryMutation {
    /// Registers a live cluster by kubeconfig. The kubeconfig is encrypted at
    /// rest and never returned; the cluster's id is derived from its name.
    async fn register_cluster(
        &self,
        ctx: &Context<'_>,
        name: String,
        kubeconfig: String,
        context: Option<String>,
        agentless: Option<bool>,
    ) -> Result<Cluster> {
        admin_only(principal(ctx)?)?;
        let app = state(ctx);
        let id = slug(&name);
        if id.is_empty() {
            return Err(coded(
                "BAD_USER_INPUT",
                "name needs at least one letter or digit",
            ));
        }
        if app.store().cluster_any(&id).await.map_err(gql)?.is_some() {
            return Err(coded(
                "BAD_USER_INPUT",
                format!("a cluster with id '{id}' exists already"),
            ));
        }
        let key = crate::app::encryption_key(&app.settings).map_err(gql)?;
        // pin the chosen context so the stored kubeconfig alone says how to connect
        let client = crate::live::client_from_kubeconfig(&kubeconfig, context.as_deref())
            .await
            .map_err(|e| {
                coded(
                    "BAD_USER_INPUT",
                    format!("the kubeconfig cannot be used: {e}"),
                )
            })?;
        let pinned = match &context {
            Some(c) => pin_context(&kubeconfig, c).map_err(|e| coded("BAD_USER_INPUT", e))?,
            None => kubeconfig,
        };
        let sealed = crate::secret::seal(&key, &pinned).map_err(gql)?;
        let agentless = agentless.unwrap_or(app.settings.kubernetes.agentless);
        let mut live = app.settings.kubernetes.clone();
        live.agentless = agentless;
        let source = crate::live::LiveSource::new(client, live, format!("registered cluster {id}"));
        let describe = crate::source::ClusterSource::describe(&source);
        let row = app
            .store()
            .insert_registered_cluster(&id, &name, &describe, &sealed, agentless)
            .await
            .map_err(gql)?;
        app.scanner.register(&id, std::sync::Arc::new(source));
        Ok(Cluster(row))
    }

    /// Removes a registered cluster and erases its credentials; its reports stay.
    async fn remove_cluster(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        admin_only(principal(ctx)?)?;
        let app = state(ctx);
        match app.store().cluster(&id).await.map_err(gql)? {
            None => Err(coded("NOT_FOUND", format!("no cluster '{}'", id.as_str()))),
            Some(c) if c.origin != "api" => Err(coded(
                "BAD_USER_INPUT",
                format!(
                    "cluster '{}' is declared in the configuration; remove it there",
                    c.id
                ),
            )),
            Some(c) => {
                app.store()
                    .remove_registered_cluster(&c.id)
                    .await
                    .map_err(gql)?;
                app.scanner.unregister(&c.id);
                Ok(true)
            }
        }
    }
}

/// Sets current-context in a kubeconfig text.
fn pin_context(kubeconfig: &str, context: &str) -> std::result::Result<String, String> {
    let mut v: serde_json::Value =
        serde_saphyr::from_str(kubeconfig).map_err(|e| format!("kubeconfig: {e}"))?;
    v["current-context"] = serde_json::Value::String(context.to_string());
    serde_json::to_string(&v).map_err(|e| e.to_string())
}
