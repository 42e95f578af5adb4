//! Cluster-wide facts read from the Kubernetes API, reduced to what the
//! section 5 policy checks judge. Compact on purpose: a cluster with 50,000
//! pods keeps one small summary per pod, not the pod objects.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the policy assessments read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterFacts {
    pub cluster_roles: Vec<RoleFacts>,
    pub roles: Vec<RoleFacts>,
    pub cluster_role_bindings: Vec<BindingFacts>,
    pub role_bindings: Vec<BindingFacts>,
    /// Namespace name → labels.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// Namespaces with at least one NetworkPolicy.
    pub network_policy_namespaces: BTreeSet<String>,
    pub service_accounts: Vec<ServiceAccountFacts>,
    pub pods: Vec<PodFacts>,
    /// Lists that could not be read (missing permission), by resource.
    #[serde(default)]
    pub errors: BTreeMap<String, String>,
}

/// A Role or ClusterRole.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RoleFacts {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    pub rules: Vec<RuleFacts>,
}

/// One policy rule of a role.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RuleFacts {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BindingFacts {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// "ClusterRole" or "Role".
    pub role_kind: String,
    pub role_name: String,
    pub subjects: Vec<SubjectFacts>,
}

/// Who a binding grants to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SubjectFacts {
    /// User, Group or ServiceAccount.
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
}

/// A service account.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountFacts {
    pub namespace: String,
    pub name: String,
    pub automount: Option<bool>,
}

/// What the policy checks need of one pod.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodFacts {
    pub namespace: String,
    pub name: String,
    pub service_account: String,
    /// The pod's automountServiceAccountToken, if set.
    pub automount: Option<bool>,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub host_network: bool,
    pub host_path: bool,
    pub windows_host_process: bool,
    /// Pod-level seccomp profile type (RuntimeDefault, Localhost, Unconfined).
    pub seccomp: Option<String>,
    pub containers: Vec<ContainerFacts>,
}

/// What the policy checks need of one container (init containers included).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerFacts {
    pub name: String,
    pub privileged: bool,
    /// allowPrivilegeEscalation, when set.
    pub allow_privilege_escalation: Option<bool>,
    /// True when the container may run as root (runAsNonRoot not true and runAsUser unset or 0).
    pub may_run_as_root: bool,
    pub added_capabilities: Vec<String>,
    /// True when ALL (or NET_RAW) is dropped.
    pub drops_net_raw: bool,
    pub drops_all: bool,
    pub host_port: bool,
    pub secret_env: bool,
    pub seccomp: Option<String>,
}
