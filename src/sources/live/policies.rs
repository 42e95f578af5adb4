//! Reads what section 5 needs from the API, page by page, reducing each
//! object to its facts at once so large clusters never sit in memory whole.

use crate::engine::cluster_facts::*;
use k8s_openapi::api::core::v1::{Container, Namespace, Pod, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject,
};
use kube::api::{Api, ListParams};
use kube::Client;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Objects per list page.
pub const PAGE: u32 = 500;

/// Lists every object of a kind in pages, mapping each as it arrives.
async fn each<K, T>(api: Api<K>, mut map: impl FnMut(K) -> Option<T>) -> Result<Vec<T>, String>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    // the permission asked for, e.g. "list clusterroles"
    let action = format!("list {}", K::plural(&Default::default()));
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut lp = ListParams::default().limit(PAGE);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = api
            .list(&lp)
            .await
            .map_err(|e| super::api_error(e, &action).to_string())?;
        out.extend(page.items.into_iter().filter_map(&mut map));
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(out);
        }
    }
}

fn rules(r: Option<Vec<PolicyRule>>) -> Vec<RuleFacts> {
    r.unwrap_or_default()
        .into_iter()
        .map(|r| RuleFacts {
            api_groups: r.api_groups.unwrap_or_default(),
            resources: r.resources.unwrap_or_default(),
            verbs: r.verbs,
        })
        .collect()
}

fn subjects(s: Option<Vec<Subject>>) -> Vec<SubjectFacts> {
    s.unwrap_or_default()
        .into_iter()
        .map(|s| SubjectFacts {
            kind: s.kind,
            name: s.name,
            namespace: s.namespace,
        })
        .collect()
}

/// Reduces a container to what the checks read.
pub fn container_facts(c: &Container) -> ContainerFacts {
    let sc = c.security_context.clone().unwrap_or_default();
    let caps = sc.capabilities.clone().unwrap_or_default();
    let dropped = caps.drop.unwrap_or_default();
    let drops_all = dropped.iter().any(|d| d.eq_ignore_ascii_case("ALL"));
    let run_as_user = sc.run_as_user;
    ContainerFacts {
        name: c.name.clone(),
        privileged: sc.privileged.unwrap_or(false),
        allow_privilege_escalation: sc.allow_privilege_escalation,
        may_run_as_root: sc.run_as_non_root != Some(true) && run_as_user.unwrap_or(0) == 0,
        added_capabilities: caps.add.unwrap_or_default(),
        drops_net_raw: drops_all || dropped.iter().any(|d| d.eq_ignore_ascii_case("NET_RAW")),
        drops_all,
        host_port: c
            .ports
            .as_ref()
            .is_some_and(|ps| ps.iter().any(|p| p.host_port.unwrap_or(0) > 0)),
        secret_env: c.env.as_ref().is_some_and(|e| {
            e.iter().any(|v| {
                v.value_from
                    .as_ref()
                    .is_some_and(|f| f.secret_key_ref.is_some())
            })
        }) || c
            .env_from
            .as_ref()
            .is_some_and(|e| e.iter().any(|s| s.secret_ref.is_some())),
        seccomp: sc.seccomp_profile.map(|p| p.type_),
    }
}

/// Reduces a pod to what the checks read; the pod's own runAsNonRoot/runAsUser apply to its containers.
pub fn pod_facts(p: Pod) -> PodFacts {
    let spec = p.spec.unwrap_or_default();
    let psc = spec.security_context.clone().unwrap_or_default();
    let mut containers: Vec<ContainerFacts> = spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .map(|c| {
            let mut f = container_facts(c);
            let csc = c.security_context.clone().unwrap_or_default();
            let non_root = csc.run_as_non_root.or(psc.run_as_non_root) == Some(true);
            let uid = csc.run_as_user.or(psc.run_as_user).unwrap_or(0);
            f.may_run_as_root = !non_root && uid == 0;
            f
        })
        .collect();
    containers.shrink_to_fit();
    PodFacts {
        namespace: p.metadata.namespace.unwrap_or_default(),
        name: p.metadata.name.unwrap_or_default(),
        service_account: spec
            .service_account_name
            .unwrap_or_else(|| "default".into()),
        automount: spec.automount_service_account_token,
        host_pid: spec.host_pid.unwrap_or(false),
        host_ipc: spec.host_ipc.unwrap_or(false),
        host_network: spec.host_network.unwrap_or(false),
        host_path: spec.volumes.iter().flatten().any(|v| v.host_path.is_some()),
        windows_host_process: psc
            .windows_options
            .as_ref()
            .and_then(|w| w.host_process)
            .unwrap_or(false),
        seccomp: psc.seccomp_profile.map(|s| s.type_),
        containers,
    }
}

fn keep<T>(f: &mut ClusterFacts, resource: &str, r: Result<Vec<T>, String>) -> Vec<T> {
    r.unwrap_or_else(|e| {
        f.errors.insert(resource.to_string(), e);
        Vec::new()
    })
}

/// Reads everything section 5 needs. A list that fails (missing permission) is recorded, not fatal.
pub async fn cluster_facts(client: &Client) -> ClusterFacts {
    let mut f = ClusterFacts::default();
    let c = client.clone();
    let r = each(Api::<ClusterRole>::all(c.clone()), |r| {
        Some(RoleFacts {
            name: r.metadata.name.unwrap_or_default(),
            namespace: None,
            rules: rules(r.rules),
        })
    })
    .await;
    f.cluster_roles = keep(&mut f, "clusterroles", r);
    let r = each(Api::<Role>::all(c.clone()), |r| {
        Some(RoleFacts {
            name: r.metadata.name.unwrap_or_default(),
            namespace: r.metadata.namespace,
            rules: rules(r.rules),
        })
    })
    .await;
    f.roles = keep(&mut f, "roles", r);
    let r = each(Api::<ClusterRoleBinding>::all(c.clone()), |b| {
        Some(BindingFacts {
            name: b.metadata.name.unwrap_or_default(),
            namespace: None,
            role_kind: b.role_ref.kind,
            role_name: b.role_ref.name,
            subjects: subjects(b.subjects),
        })
    })
    .await;
    f.cluster_role_bindings = keep(&mut f, "clusterrolebindings", r);
    let r = each(Api::<RoleBinding>::all(c.clone()), |b| {
        Some(BindingFacts {
            name: b.metadata.name.unwrap_or_default(),
            namespace: b.metadata.namespace,
            role_kind: b.role_ref.kind,
            role_name: b.role_ref.name,
            subjects: subjects(b.subjects),
        })
    })
    .await;
    f.role_bindings = keep(&mut f, "rolebindings", r);
    let r = each(Api::<Namespace>::all(c.clone()), |n| {
        Some((
            n.metadata.name.unwrap_or_default(),
            n.metadata.labels.unwrap_or_default().into_iter().collect(),
        ))
    })
    .await;
    f.namespaces = keep(&mut f, "namespaces", r).into_iter().collect();
    let r = each(Api::<NetworkPolicy>::all(c.clone()), |p| {
        p.metadata.namespace
    })
    .await;
    f.network_policy_namespaces = keep(&mut f, "networkpolicies", r).into_iter().collect();
    let r = each(Api::<ServiceAccount>::all(c.clone()), |s| {
        Some(ServiceAccountFacts {
            namespace: s.metadata.namespace.unwrap_or_default(),
            name: s.metadata.name.unwrap_or_default(),
            automount: s.automount_service_account_token,
        })
    })
    .await;
    f.service_accounts = keep(&mut f, "serviceaccounts", r);
    let r = each(Api::<Pod>::all(c), |p| Some(pod_facts(p))).await;
    f.pods = keep(&mut f, "pods", r);
    f
}
