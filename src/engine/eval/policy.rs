//! Section 5 policy assessments over cluster facts. Pure: API objects in, verdict and offending objects out.

use super::policy_rbac::*;
use super::Outcome;
use crate::engine::benchmark::PolicyName;
use crate::engine::cluster_facts::{ClusterFacts, ContainerFacts, PodFacts};
use crate::engine::report::State;

/// Namespaces that belong to Kubernetes itself; workload checks leave them out.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];
/// Offending objects named in a result before it summarises.
const LIST_LIMIT: usize = 10;

fn system_ns(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

/// Judges one policy.
pub fn assess(policy: PolicyName, f: &ClusterFacts) -> Outcome {
    let name = policy.as_str();
    if let Some(missing) = policy
        .reads()
        .iter()
        .find_map(|r| f.errors.get(*r).map(|e| (r, e)))
    {
        return Outcome::new(State::Error, "not readable", name, "Kubernetes API")
            .because(format!("cannot list {}: {}", missing.0, missing.1));
    }
    use PolicyName as P;
    let (expected, offenders): (&str, Vec<String>) = match policy {
        P::ClusterAdminBindings => (
            "cluster-admin bound only by built-in bindings",
            cluster_admin(f),
        ),
        P::SystemMasters => (
            "no binding grants to the system:masters group",
            system_masters(f),
        ),
        P::AnonymousBindings => (
            "no binding names the system:anonymous user",
            bound_to(f, "User", "system:anonymous", &[]),
        ),
        P::UnauthenticatedBindings => (
            "no binding but the default system:public-info-viewer names the system:unauthenticated group",
            bound_to(f, "Group", "system:unauthenticated", &["system:public-info-viewer"]),
        ),
        P::AuthenticatedBindings => (
            "no binding but the defaults system:basic-user and system:discovery names the system:authenticated group",
            bound_to(
                f,
                "Group",
                "system:authenticated",
                &["system:basic-user", "system:discovery"],
            ),
        ),
        P::SecretReaders => (
            "no role bound to users grants get, list or watch on secrets",
            granting(f, &[("", "secrets", &["get", "list", "watch"])]),
        ),
        P::PodCreators => (
            "no non-system role grants create on pods",
            granting(f, &[("", "pods", &["create"])]),
        ),
        P::PvCreators => (
            "no non-system role grants create on persistentvolumes",
            granting(f, &[("", "persistentvolumes", &["create"])]),
        ),
        P::NodeProxy => (
            "no non-system role grants access to nodes/proxy",
            granting(f, &[("", "nodes/proxy", &["get", "create", "*"])]),
        ),
        P::CsrApprovers => (
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
        P::WebhookEditors => (
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
        P::TokenCreators => (
            "no non-system role grants create on serviceaccounts/token",
            granting(f, &[("", "serviceaccounts/token", &["create"])]),
        ),
        P::BindEscalateImpersonate => (
            "no non-system role grants bind, escalate or impersonate",
            verbs(f, &["bind", "escalate", "impersonate"]),
        ),
        P::RbacWildcards => (
            "no non-system role uses * in apiGroups, resources or verbs",
            wildcards(f),
        ),
        P::DefaultServiceAccounts => (
            "default service accounts do not automount tokens, are not bound, and run no pods",
            default_sa(f),
        ),
        P::TokenAutomount => (
            "pods mount service account tokens only when they opt in",
            pods(f, |p| automounts(p, f)),
        ),
        P::PodSecurityAdmission => (
            "every namespace enforces a Pod Security level",
            unlabelled(f),
        ),
        P::PrivilegedContainers => ("no privileged containers", containers(f, |c| c.privileged)),
        P::HostPid => (
            "no pods share the host PID namespace",
            pods(f, |p| p.host_pid),
        ),
        P::HostIpc => (
            "no pods share the host IPC namespace",
            pods(f, |p| p.host_ipc),
        ),
        P::HostNetwork => ("no pods use the host network", pods(f, |p| p.host_network)),
        P::PrivilegeEscalation => (
            "every container sets allowPrivilegeEscalation: false",
            containers(f, |c| c.allow_privilege_escalation != Some(false)),
        ),
        P::RootContainers => (
            "containers run as non-root",
            containers(f, |c| c.may_run_as_root),
        ),
        P::NetRaw => (
            "every container drops NET_RAW (or ALL)",
            containers(f, |c| !c.drops_net_raw),
        ),
        P::AddedCapabilities => (
            "no container adds capabilities",
            containers(f, |c| !c.added_capabilities.is_empty()),
        ),
        P::AssignedCapabilities => (
            "every container drops ALL capabilities",
            containers(f, |c| !c.drops_all),
        ),
        P::WindowsHostprocess => (
            "no Windows HostProcess pods",
            pods(f, |p| p.windows_host_process),
        ),
        P::HostpathVolumes => ("no hostPath volumes", pods(f, |p| p.host_path)),
        P::HostPorts => ("no containers use hostPort", containers(f, |c| c.host_port)),
        P::SecretsInEnv => (
            "no secrets read into environment variables",
            containers(f, |c| c.secret_env),
        ),
        P::SeccompProfiles => (
            "every pod runs with a seccomp profile (RuntimeDefault or Localhost)",
            pods(f, no_seccomp),
        ),
        P::NamespaceNetworkPolicies => ("every namespace has a NetworkPolicy", no_netpol(f)),
        P::DefaultNamespaceWorkloads => (
            "no pods in the default namespace",
            f.pods
                .iter()
                .filter(|p| p.namespace == "default")
                .map(pod_name)
                .collect(),
        ),
    };
    let source = format!("Kubernetes API ({})", policy.reads().join(", "));
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
