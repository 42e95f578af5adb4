//! RBAC findings for section 5: who is bound to what, and which roles grant what.

use crate::engine::cluster_facts::{BindingFacts, ClusterFacts, RoleFacts, RuleFacts};

/// Names Kubernetes and kubeadm give their own roles and bindings, which the
/// RBAC checks leave out.
pub(super) fn system_name(name: &str) -> bool {
    name.starts_with("system:") || name.starts_with("kubeadm:")
}

pub(super) fn subjects(b: &BindingFacts) -> String {
    b.subjects
        .iter()
        .map(|s| format!("{} {}", s.kind, s.name))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn binding_name(b: &BindingFacts) -> String {
    match &b.namespace {
        Some(ns) => format!("RoleBinding {ns}/{}", b.name),
        None => format!("ClusterRoleBinding {}", b.name),
    }
}

pub(super) fn bindings(f: &ClusterFacts) -> impl Iterator<Item = &BindingFacts> {
    f.cluster_role_bindings.iter().chain(f.role_bindings.iter())
}

pub(super) fn cluster_admin(f: &ClusterFacts) -> Vec<String> {
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

pub(super) fn system_masters(f: &ClusterFacts) -> Vec<String> {
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

/// Bindings whose subjects name `kind` `name` (a user or group), but for the
/// ClusterRoleBindings Kubernetes creates for it (`defaults`), as the GKE
/// benchmark's audits list them: each with its role.
pub(super) fn bound_to(f: &ClusterFacts, kind: &str, name: &str, defaults: &[&str]) -> Vec<String> {
    bindings(f)
        .filter(|b| !(b.namespace.is_none() && defaults.contains(&b.name.as_str())))
        .filter(|b| b.subjects.iter().any(|s| s.kind == kind && s.name == name))
        .map(|b| format!("{} → {} {}", binding_name(b), b.role_kind, b.role_name))
        .collect()
}

pub(super) fn matches(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x == "*" || x == item)
}

pub(super) fn rule_grants(r: &RuleFacts, group: &str, resource: &str, verbs: &[&str]) -> bool {
    matches(&r.api_groups, group)
        && matches(&r.resources, resource)
        && verbs.iter().any(|v| matches(&r.verbs, v))
}

pub(super) fn role_of<'a>(f: &'a ClusterFacts, b: &BindingFacts) -> Option<&'a RoleFacts> {
    if b.role_kind == "ClusterRole" {
        f.cluster_roles.iter().find(|r| r.name == b.role_name)
    } else {
        f.roles
            .iter()
            .find(|r| r.name == b.role_name && r.namespace == b.namespace)
    }
}

/// Bindings (not built in) whose role grants any of `wants`; cluster-admin is reported by its own check.
pub(super) fn granting(f: &ClusterFacts, wants: &[(&str, &str, &[&str])]) -> Vec<String> {
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

pub(super) fn custom_roles(f: &ClusterFacts) -> impl Iterator<Item = &RoleFacts> {
    f.cluster_roles.iter().chain(f.roles.iter()).filter(|r| {
        !system_name(&r.name)
            && !["cluster-admin", "admin", "edit", "view"].contains(&r.name.as_str())
    })
}

pub(super) fn role_name(r: &RoleFacts) -> String {
    match &r.namespace {
        Some(ns) => format!("Role {ns}/{}", r.name),
        None => format!("ClusterRole {}", r.name),
    }
}

pub(super) fn verbs(f: &ClusterFacts, wanted: &[&str]) -> Vec<String> {
    custom_roles(f)
        .filter(|r| {
            r.rules
                .iter()
                .any(|rule| wanted.iter().any(|v| matches(&rule.verbs, v)))
        })
        .map(role_name)
        .collect()
}

pub(super) fn wildcards(f: &ClusterFacts) -> Vec<String> {
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
