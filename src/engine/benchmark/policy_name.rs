//! The names of section 5 policy assessments: a closed set, checked when definitions
//! load, so a misspelt name is a load error naming the file and the check rather than a
//! WARN at scan time.

use std::fmt;

/// A section 5 assessment made from the Kubernetes API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyName {
    ClusterAdminBindings,
    SystemMasters,
    AnonymousBindings,
    UnauthenticatedBindings,
    AuthenticatedBindings,
    SecretReaders,
    PodCreators,
    PvCreators,
    NodeProxy,
    CsrApprovers,
    WebhookEditors,
    TokenCreators,
    BindEscalateImpersonate,
    RbacWildcards,
    DefaultServiceAccounts,
    TokenAutomount,
    PodSecurityAdmission,
    PrivilegedContainers,
    HostPid,
    HostIpc,
    HostNetwork,
    PrivilegeEscalation,
    RootContainers,
    NetRaw,
    AddedCapabilities,
    AssignedCapabilities,
    WindowsHostprocess,
    HostpathVolumes,
    HostPorts,
    SecretsInEnv,
    SeccompProfiles,
    NamespaceNetworkPolicies,
    DefaultNamespaceWorkloads,
}

/// Every name with its spelling in definitions.
const NAMES: &[(PolicyName, &str)] = &[
    (PolicyName::ClusterAdminBindings, "cluster-admin-bindings"),
    (PolicyName::SystemMasters, "system-masters"),
    (PolicyName::AnonymousBindings, "anonymous-bindings"),
    (
        PolicyName::UnauthenticatedBindings,
        "unauthenticated-bindings",
    ),
    (PolicyName::AuthenticatedBindings, "authenticated-bindings"),
    (PolicyName::SecretReaders, "secret-readers"),
    (PolicyName::PodCreators, "pod-creators"),
    (PolicyName::PvCreators, "pv-creators"),
    (PolicyName::NodeProxy, "node-proxy"),
    (PolicyName::CsrApprovers, "csr-approvers"),
    (PolicyName::WebhookEditors, "webhook-editors"),
    (PolicyName::TokenCreators, "token-creators"),
    (
        PolicyName::BindEscalateImpersonate,
        "bind-escalate-impersonate",
    ),
    (PolicyName::RbacWildcards, "rbac-wildcards"),
    (
        PolicyName::DefaultServiceAccounts,
        "default-service-accounts",
    ),
    (PolicyName::TokenAutomount, "token-automount"),
    (PolicyName::PodSecurityAdmission, "pod-security-admission"),
    (PolicyName::PrivilegedContainers, "privileged-containers"),
    (PolicyName::HostPid, "host-pid"),
    (PolicyName::HostIpc, "host-ipc"),
    (PolicyName::HostNetwork, "host-network"),
    (PolicyName::PrivilegeEscalation, "privilege-escalation"),
    (PolicyName::RootContainers, "root-containers"),
    (PolicyName::NetRaw, "net-raw"),
    (PolicyName::AddedCapabilities, "added-capabilities"),
    (PolicyName::AssignedCapabilities, "assigned-capabilities"),
    (PolicyName::WindowsHostprocess, "windows-hostprocess"),
    (PolicyName::HostpathVolumes, "hostpath-volumes"),
    (PolicyName::HostPorts, "host-ports"),
    (PolicyName::SecretsInEnv, "secrets-in-env"),
    (PolicyName::SeccompProfiles, "seccomp-profiles"),
    (
        PolicyName::NamespaceNetworkPolicies,
        "namespace-network-policies",
    ),
    (
        PolicyName::DefaultNamespaceWorkloads,
        "default-namespace-workloads",
    ),
];

impl PolicyName {
    /// Its spelling in definitions (`test: {policy: NAME}`).
    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
            .unwrap_or("unknown")
    }

    /// The name spelled so, or an error listing the names there are.
    pub fn parse(name: &str) -> Result<Self, String> {
        NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(p, _)| *p)
            .ok_or_else(|| {
                let known: Vec<&str> = NAMES.iter().map(|(_, n)| *n).collect();
                format!(
                    "unknown policy '{name}'; known policies: {}",
                    known.join(", ")
                )
            })
    }

    /// The API lists the assessment reads (a list that could not be read makes it ERROR).
    pub fn reads(self) -> &'static [&'static str] {
        match self {
            PolicyName::ClusterAdminBindings
            | PolicyName::SystemMasters
            | PolicyName::AnonymousBindings
            | PolicyName::UnauthenticatedBindings
            | PolicyName::AuthenticatedBindings => &["clusterrolebindings", "rolebindings"],
            PolicyName::SecretReaders
            | PolicyName::PodCreators
            | PolicyName::PvCreators
            | PolicyName::NodeProxy
            | PolicyName::CsrApprovers
            | PolicyName::WebhookEditors
            | PolicyName::TokenCreators
            | PolicyName::BindEscalateImpersonate => &[
                "clusterroles",
                "roles",
                "clusterrolebindings",
                "rolebindings",
            ],
            PolicyName::RbacWildcards => &["clusterroles", "roles"],
            PolicyName::DefaultServiceAccounts => &[
                "serviceaccounts",
                "clusterrolebindings",
                "rolebindings",
                "pods",
            ],
            PolicyName::TokenAutomount => &["pods", "serviceaccounts"],
            PolicyName::PodSecurityAdmission => &["namespaces"],
            PolicyName::NamespaceNetworkPolicies => &["namespaces", "networkpolicies"],
            _ => &["pods"],
        }
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_itself() {
        for (p, n) in NAMES {
            assert_eq!(PolicyName::parse(n), Ok(*p));
            assert_eq!(p.as_str(), *n);
        }
    }

    #[test]
    fn an_unknown_name_is_refused_listing_the_known_ones() {
        let e = PolicyName::parse("cluster-admin-binding").unwrap_err();
        assert!(
            e.contains("unknown policy 'cluster-admin-binding'")
                && e.contains("cluster-admin-bindings"),
            "{e}"
        );
    }
}
