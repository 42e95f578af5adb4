//! Agentless collection: no pods on the nodes. Control-plane flags come from
//! the static pods' specs in kube-system, kubelet settings from each node's
//! configz (nodes/proxy). Node files are not read, and the report says so.

use super::api_error;
use crate::engine::benchmark::Component;
use crate::engine::facts::{ArgsFacts, ComponentFacts, ConfigFacts, NodeFacts, SCHEMA_VERSION};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::Client;
use std::collections::HashMap;

/// Which control-plane component a kube-system pod runs, from its name prefix.
fn component_of(pod_name: &str) -> Option<Component> {
    [
        ("kube-apiserver-", Component::Apiserver),
        ("kube-controller-manager-", Component::Controllermanager),
        ("kube-scheduler-", Component::Scheduler),
        ("etcd-", Component::Etcd),
    ]
    .into_iter()
    .find(|(p, _)| pod_name.starts_with(p))
    .map(|(_, c)| c)
}

/// Static control-plane pods per node: node → component → args.
pub async fn static_pods(
    client: &Client,
) -> crate::Result<HashMap<String, Vec<(Component, ArgsFacts)>>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), "kube-system");
    let list = pods
        .list(&ListParams::default())
        .await
        .map_err(|e| api_error(e, "list pods in kube-system"))?;
    let mut out: HashMap<String, Vec<(Component, ArgsFacts)>> = HashMap::new();
    for p in list.items {
        let name = p.metadata.name.clone().unwrap_or_default();
        let Some(comp) = component_of(&name) else {
            continue;
        };
        let Some(spec) = p.spec else { continue };
        let Some(node) = spec.node_name.clone() else {
            continue;
        };
        let Some(c) = spec.containers.first() else {
            continue;
        };
        let mut argv = c.command.clone().unwrap_or_default();
        if argv.is_empty() {
            argv.push(c.name.clone());
        }
        argv.extend(c.args.clone().unwrap_or_default());
        out.entry(node).or_default().push((
            comp,
            ArgsFacts {
                path: format!("pod kube-system/{name} (API)"),
                args: argv,
                image: c.image.clone(),
                error: None,
                origins: Default::default(),
            },
        ));
    }
    Ok(out)
}

/// The kubelet's running configuration from configz.
pub async fn configz(client: &Client, node: &str) -> ConfigFacts {
    let path = format!("/api/v1/nodes/{node}/proxy/configz");
    let mut cfg = ConfigFacts {
        path: format!("configz of node {node} (API)"),
        ..Default::default()
    };
    let req = match http::Request::get(&path).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => {
            cfg.error = Some(e.to_string());
            return cfg;
        }
    };
    match client.request_text(req).await {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => cfg.content = Some(v.get("kubeletconfig").cloned().unwrap_or(v)),
            Err(_) => cfg.error = Some("configz is not JSON".into()),
        },
        Err(e) => cfg.error = Some(api_error(e, "get nodes/proxy").to_string()),
    }
    cfg
}

/// One node's facts without node access.
pub fn node_facts(
    node: &str,
    pods: Option<&Vec<(Component, ArgsFacts)>>,
    kubelet: ConfigFacts,
) -> NodeFacts {
    let mut facts = NodeFacts {
        schema_version: SCHEMA_VERSION,
        node: node.to_string(),
        agentless: true,
        distribution: "api".into(),
        ..Default::default()
    };
    for (comp, args) in pods.into_iter().flatten() {
        facts.components.insert(
            comp.key().to_string(),
            ComponentFacts {
                manifest: Some(args.clone()),
                ..Default::default()
            },
        );
    }
    facts.components.insert(
        Component::Kubelet.key().to_string(),
        ComponentFacts {
            config: Some(kubelet),
            ..Default::default()
        },
    );
    facts
}
