//! Section 5 policy assessments over cluster facts. Pure: API objects in, verdict and offending objects out.

use super::Outcome;
use crate::engine::cluster_facts::{
    BindingFacts, ClusterFacts, ContainerFacts, PodFacts, RoleFacts, RuleFacts,
};
use crate::engine::report::State;

/// Namespaces that belong to Kubernetes itself; workload checks leave them out.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];
/// Offending objects named in a result before it summarises.
const LIST_LIMIT: usize = 10;

fn system_ns(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

fn system_name(name: &str) -> bool {
    name.starts_with("system:") || name.starts_with("kubeadm:")
}

/// Judges one named policy. Unknown names are WARN (a custom benchmark naming a policy this version lacks).
pub fn assess(name: &str, f: &ClusterFacts) -> Outcome {
    if let Some(missing) = needed(name)
        .iter()
        .find_map(|r| f.errors.get(*r).map(|e| (r, e)))
    {
        return Outcome::new(State::Error, "not readable", name, "Kubernetes API")
            .because(format!("cannot list {}: {}", missing.0, missing.1));
    }
    let (expected, offenders): (&str, Vec<String>) = match name {
        "cluster-admin-bindings" => (
            "cluster-admin bound only by built-in bindings",
            cluster_admin(f),
        ),
        "system-masters" => (
            "no binding grants to the system:masters group",
            system_masters(f),
        ),
        "secret-readers" => (
            "no role bound to users grants get, list or watch on secrets",
            granting(f, &[("", "secrets", &["get", "list", "watch"])]),
        ),
        "pod-creators" => (
            "no non-system role grants create on pods",
            granting(f, &[("", "pods", &["create"])]),
        ),
        "pv-creators" => (
            "no non-system role grants create on persistentvolumes",
            granting(f, &[("", "persistentvolumes", &["create"])]),
        ),
        "node-proxy" => (
            "no non-system role grants access to nodes/proxy",
            granting(f, &[("", "nodes/proxy", &["get", "create", "*"])]),
        ),
        "csr-approvers" => (
            "no non-system role grants update on certificatesigningrequests/approval",
            granting(
                f,
                &[(
                    "certificates.k8s.io",
                    "certificatesigningrequests/approval",
                    &["update", "patch"],
                )],
            ),
        ),
        "webhook-editors" => (
            "no non-system role may change admission webhook configurations",
            granting(
                f,
                &[
                    (
                        "admissionregistration.k8s.io",
                        "validatingwebhookconfigurations",
                        &["create", "update", "patch", "delete"],
                    ),
                    (
                        "admissionregistration.k8s.io",
                        "mutatingwebhookconfigurations",
                        &["create", "update", "patch", "delete"],
                    ),
                ],
            ),
        ),
        "token-creators" => (
            "no non-system role grants create on serviceaccounts/token",
            granting(f, &[("", "serviceaccounts/token", &["create"])]),
        ),
        "bind-escalate-impersonate" => (
            "no non-system role grants bind, escalate or impersonate",
            verbs(f, &["bind", "escalate", "impersonate"]),
        ),
        "rbac-wildcards" => (
            "no non-system role uses * in apiGroups, resources or verbs",
            wildcards(f),
        ),
        "default-service-accounts" => (
            "default service accounts do not automount tokens, are not bound, and run no pods",
            default_sa(f),
        ),
        "token-automount" => (
            "pods mount service account tokens only when they opt in",
            pods(f, |p| automounts(p, f)),
        ),
        "pod-security-admission" => (
            "every namespace enforces a Pod Security level",
            unlabelled(f),
        ),
        "privileged-containers" => ("no privileged containers", containers(f, |c| c.privileged)),
        "host-pid" => (
            "no pods share the host PID namespace",
            pods(f, |p| p.host_pid),
        ),
        "host-ipc" => (
            "no pods share the host IPC namespace",
            pods(f, |p| p.host_ipc),
        ),
        "host-network" => ("no pods use the host network", pods(f, |p| p.host_network)),
        "privilege-escalation" => (
            "every container sets allowPrivilegeEscalation: false",
            containers(f, |c| c.allow_privilege_escalation != Some(false)),
        ),
        "root-containers" => (
            "containers run as non-root",
            containers(f, |c| c.may_run_as_root),
        ),
        "net-raw" => (
            "every container drops NET_RAW (or ALL)",
            containers(f, |c| !c.drops_net_raw),
        ),
        "added-capabilities" => (
            "no container adds capabilities",
            containers(f, |c| !c.added_capabilities.is_empty()),
        ),
        "assigned-capabilities" => (
            "every container drops ALL capabilities",
            containers(f, |c| !c.drops_all),
        ),
        "windows-hostprocess" => (
            "no Windows HostProcess pods",
            pods(f, |p| p.windows_host_process),
        ),
        "hostpath-volumes" => ("no hostPath volumes", pods(f, |p| p.host_path)),
        "host-ports" => ("no containers use hostPort", containers(f, |c| c.host_port)),
        "secrets-in-env" => (
            "no secrets read into environment variables",
            containers(f, |c| c.secret_env),
        ),
        "seccomp-profiles" => (
            "every pod runs with a seccomp profile (RuntimeDefault or Localhost)",
            pods(f, no_seccomp),
        ),
        "namespace-network-policies" => ("every namespace has a NetworkPolicy", no_netpol(f)),
        "default-namespace-workloads" => (
            "no pods in the default namespace",
            f.pods
                .iter()
                .filter(|p| p.namespace == "default")
                .map(pod_name)
                .collect(),
        ),
        other => {
            return Outcome::new(State::Warn, "not assessed", other, "Kubernetes API")
                .because(format!("cis-scan has no assessment named '{other}'"));
        }
    };
    let source = format!("Kubernetes API ({})", needed(name).join(", "));
    if offenders.is_empty() {
        return Outcome::new(State::Pass, "none found", expected, &source);
    }
    let mut shown: Vec<String> = offenders.iter().take(LIST_LIMIT).cloned().collect();
    if offenders.len() > LIST_LIMIT {
        shown.push(format!("and {} more", offenders.len() - LIST_LIMIT));
    }
    Outcome::new(
        State::Fail,
        &format!("{} found: {}", offenders.len(), shown.join("; ")),
        expected,
        &source,
    )
}

/// Which lists an assessment reads.
fn needed(name: &str) -> &'static [&'static str] {
    match name {
        "cluster-admin-bindings" | "system-masters" => &["clusterrolebindings", "rolebindings"],
        "secret-readers"
        | "pod-creators"
        | "pv-creators"
        | "node-proxy"
        | "csr-approvers"
        | "webhook-editors"
        | "token-creators"
        | "bind-escalate-impersonate" => &[
            "clusterroles",
            "roles",
            "clusterrolebindings",
            "rolebindings",
        ],
        "rbac-wildcards" => &["clusterroles", "roles"],
        "default-service-accounts" => &[
            "serviceaccounts",
            "clusterrolebindings",
            "rolebindings",
            "pods",
        ],
        "token-automount" => &["pods", "serviceaccounts"],
        "pod-security-admission" => &["namespaces"],
        "namespace-network-policies" => &["namespaces", "networkpolicies"],
        _ => &["pods"],
    }
}

fn subjects(b: &BindingFacts) -> String {
    b.subjects
        .iter()
        .map(|s| format!("{} {}", s.kind, s.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn binding_name(b: &BindingFacts) -> String {
    match &b.namespace {
        Some(ns) => format!("RoleBinding {ns}/{}", b.name),
        None => format!("ClusterRoleBinding {}", b.name),
    }
}

fn bindings(f: &ClusterFacts) -> impl Iterator<Item = &BindingFacts> {
    f.cluster_role_bindings.iter().chain(f.role_bindings.iter())
}

fn cluster_admin(f: &ClusterFacts) -> Vec<String> {
    bindings(f)
        .filter(|b| {
            b.role_kind == "ClusterRole"
                && b.role_name == "cluster-admin"
                && !system_name(&b.name)
                && b.name != "cluster-admin"
        })
        .map(|b| format!("{} → {}", binding_name(b), subjects(b)))
        .collect()
}

fn system_masters(f: &ClusterFacts) -> Vec<String> {
    bindings(f)
        .filter(|b| {
            b.name != "cluster-admin"
                && b.subjects
                    .iter()
                    .any(|s| s.kind == "Group" && s.name == "system:masters")
        })
        .map(binding_name)
        .collect()
}

fn matches(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x == "*" || x == item)
}

fn rule_grants(r: &RuleFacts, group: &str, resource: &str, verbs: &[&str]) -> bool {
    matches(&r.api_groups, group)
        && matches(&r.resources, resource)
        && verbs.iter().any(|v| matches(&r.verbs, v))
}

fn role_of<'a>(f: &'a ClusterFacts, b: &BindingFacts) -> Option<&'a RoleFacts> {
    if b.role_kind == "ClusterRole" {
        f.cluster_roles.iter().find(|r| r.name == b.role_name)
    } else {
        f.roles
            .iter()
            .find(|r| r.name == b.role_name && r.namespace == b.namespace)
    }
}

/// Bindings (not built in) whose role grants any of `wants`; cluster-admin is reported by its own check.
fn granting(f: &ClusterFacts, wants: &[(&str, &str, &[&str])]) -> Vec<String> {
    bindings(f)
        .filter(|b| {
            !system_name(&b.name)
                && !system_name(&b.role_name)
                && b.role_name != "cluster-admin"
                && b.role_name != "admin"
        })
        .filter_map(|b| {
            let role = role_of(f, b)?;
            let hit = role
                .rules
                .iter()
                .any(|r| wants.iter().any(|(g, res, v)| rule_grants(r, g, res, v)));
            hit.then(|| {
                format!(
                    "{} → {} {} ({})",
                    binding_name(b),
                    b.role_kind,
                    b.role_name,
                    subjects(b)
                )
            })
        })
        .collect()
}

fn custom_roles(f: &ClusterFacts) -> impl Iterator<Item = &RoleFacts> {
    f.cluster_roles.iter().chain(f.roles.iter()).filter(|r| {
        !system_name(&r.name)
            && !["cluster-admin", "admin", "edit", "view"].contains(&r.name.as_str())
    })
}

fn role_name(r: &RoleFacts) -> String {
    match &r.namespace {
        Some(ns) => format!("Role {ns}/{}", r.name),
        None => format!("ClusterRole {}", r.name),
    }
}

fn verbs(f: &ClusterFacts, wanted: &[&str]) -> Vec<String> {
    custom_roles(f)
        .filter(|r| {
            r.rules
                .iter()
                .any(|rule| wanted.iter().any(|v| matches(&rule.verbs, v)))
        })
        .map(role_name)
        .collect()
}

fn wildcards(f: &ClusterFacts) -> Vec<String> {
    custom_roles(f)
        .filter(|r| {
            r.rules.iter().any(|rule| {
                [&rule.api_groups, &rule.resources, &rule.verbs]
                    .iter()
                    .any(|l| l.iter().any(|x| x == "*"))
            })
        })
        .map(role_name)
        .collect()
}

fn pod_name(p: &PodFacts) -> String {
    format!("{}/{}", p.namespace, p.name)
}

fn pods(f: &ClusterFacts, bad: impl Fn(&PodFacts) -> bool) -> Vec<String> {
    f.pods
        .iter()
        .filter(|p| !system_ns(&p.namespace) && bad(p))
        .map(pod_name)
        .collect()
}

fn containers(f: &ClusterFacts, bad: impl Fn(&ContainerFacts) -> bool) -> Vec<String> {
    f.pods
        .iter()
        .filter(|p| !system_ns(&p.namespace))
        .flat_map(|p| {
            p.containers
                .iter()
                .filter(|c| bad(c))
                .map(move |c| format!("{} ({})", pod_name(p), c.name))
        })
        .collect()
}

fn automounts(p: &PodFacts, f: &ClusterFacts) -> bool {
    match p.automount {
        Some(a) => a,
        None => f
            .service_accounts
            .iter()
            .find(|s| s.namespace == p.namespace && s.name == p.service_account)
            .and_then(|s| s.automount)
            .unwrap_or(true),
    }
}

fn no_seccomp(p: &PodFacts) -> bool {
    let ok = |s: Option<&str>| matches!(s, Some("RuntimeDefault") | Some("Localhost"));
    !p.containers
        .iter()
        .all(|c| ok(c.seccomp.as_deref().or(p.seccomp.as_deref())))
}

fn default_sa(f: &ClusterFacts) -> Vec<String> {
    let mut out: Vec<String> = f
        .service_accounts
        .iter()
        .filter(|s| s.name == "default" && !system_ns(&s.namespace) && s.automount != Some(false))
        .map(|s| {
            format!(
                "ServiceAccount {}/default automounts its token",
                s.namespace
            )
        })
        .collect();
    out.extend(
        bindings(f)
            .filter(|b| {
                !system_name(&b.name)
                    && b.subjects
                        .iter()
                        .any(|s| s.kind == "ServiceAccount" && s.name == "default")
            })
            .map(|b| format!("{} binds a default service account", binding_name(b))),
    );
    out.extend(
        pods(f, |p| p.service_account == "default")
            .into_iter()
            .map(|p| format!("pod {p} runs as default")),
    );
    out
}

fn unlabelled(f: &ClusterFacts) -> Vec<String> {
    f.namespaces
        .iter()
        .filter(|(ns, labels)| {
            !system_ns(ns) && !labels.contains_key("pod-security.kubernetes.io/enforce")
        })
        .map(|(ns, _)| format!("namespace {ns}"))
        .collect()
}

fn no_netpol(f: &ClusterFacts) -> Vec<String> {
    f.namespaces
        .keys()
        .filter(|ns| !system_ns(ns) && !f.network_policy_namespaces.contains(*ns))
        .map(|ns| format!("namespace {ns}"))
        .collect()
}
