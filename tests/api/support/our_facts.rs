//! A shipped check reduced to the facts its source states (label, scored, skip, component, file,
//! settings, compared values), in the spelling `source_facts` writes; read by `definitions_source`.

use cis_scan::engine::benchmark::{Benchmark, Check, Condition, FileExpect, Setting, ValueOp};
use std::collections::{BTreeMap, BTreeSet};

/// Our check, reduced to the facts the source has.
pub struct OurFacts {
    pub label: &'static str,
    pub skip: bool,
    pub scored: bool,
    pub automated: bool,
    pub policy: bool,
    pub component: &'static str,
    pub file: Option<String>,
    pub settings: BTreeSet<String>,
    pub values: BTreeSet<String>,
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn walk(c: &Condition, out: &mut OurFacts) {
    match c {
        Condition::All(list) | Condition::Any(list) => list.iter().for_each(|c| walk(c, out)),
        Condition::Setting { setting, op, .. } => {
            let name = match setting {
                Setting::Flag(f) => f.clone(),
                Setting::Gate(g) => format!("gate {g}"),
                Setting::Unit(u) => format!("unit {u}"),
            };
            out.settings.insert(match setting {
                Setting::Flag(f) => f.clone(),
                Setting::Gate(_) => "--feature-gates".into(),
                Setting::Unit(u) => format!("unit {u}"),
            });
            let value = match op {
                ValueOp::Set | ValueOp::Unset => None,
                ValueOp::Eq(v) => Some(format!("eq {v}")),
                ValueOp::Ne(v) => Some(format!("ne {v}")),
                ValueOp::Gte(n) => Some(format!("gte {}", number(*n))),
                ValueOp::Lte(n) => Some(format!("lte {}", number(*n))),
                ValueOp::Has(v) => Some(format!("has {v}")),
                ValueOp::Lacks(v) => Some(format!("lacks {v}")),
                ValueOp::Only(list) => {
                    let mut l = list.clone();
                    l.sort();
                    Some(format!("only {}", l.join(",")))
                }
                ValueOp::StartsWith(list) => Some(format!("starts_with {}", list.join(","))),
            };
            if let Some(v) = value {
                out.values.insert(format!("{name} {v}"));
            }
        }
        Condition::Plugin { name, enabled } => {
            out.settings.insert("--enable-admission-plugins".into());
            out.settings.insert("--disable-admission-plugins".into());
            let on = if *enabled { "on" } else { "off" };
            out.values.insert(format!("plugin {name} {on}"));
        }
        Condition::File { file, expect, .. } => {
            out.file = Some(file.clone());
            out.values.insert(match expect {
                FileExpect::Mode(m) => format!("mode {m:o}"),
                FileExpect::Owner { user, group } => format!("owner {user}:{group}"),
            });
        }
        Condition::EncryptionProviders(list) => {
            out.settings.insert("--encryption-provider-config".into());
            let mut l = list.clone();
            l.sort();
            out.values.insert(format!("provider only {}", l.join(",")));
        }
        Condition::EventRateLimit => {
            out.settings.insert("--enable-admission-plugins".into());
            out.settings
                .insert("--admission-control-config-file".into());
            out.values.insert("plugin EventRateLimit on".into());
        }
        Condition::AuditPolicy => {
            out.settings.insert("--audit-policy-file".into());
        }
        // the audit reads etcd's flag; comparing it with the other component's file is ours
        Condition::DistinctFile { flag, .. } => {
            out.settings.insert(flag.clone());
        }
        Condition::Policy(_) => out.policy = true,
    }
}

pub fn ours(check: &Check) -> OurFacts {
    let mut out = OurFacts {
        label: if check.benchmark_manual {
            "manual"
        } else {
            "automated"
        },
        skip: check.skip.is_some(),
        scored: check.scored,
        automated: check.automated(),
        policy: false,
        component: check.rule.component.key(),
        file: None,
        settings: BTreeSet::new(),
        values: BTreeSet::new(),
    };
    if let Some(test) = &check.rule.test {
        walk(test, &mut out);
    }
    out
}

/// The source's `$variables` and paths a file of ours stands for.
pub fn file_sources(file: &str) -> &'static [&'static str] {
    match file {
        "apiserver-manifest" => &["$apiserverconf"],
        "controllermanager-manifest" => &["$controllermanagerconf"],
        "scheduler-manifest" => &["$schedulerconf"],
        "etcd-manifest" => &["$etcdconf"],
        "cni-files" => &["/etc/cni/net.d", "/var/lib/cni/networks"],
        "etcd-data-dir" => &["$etcddatadir", "$etcdbin"],
        "admin-kubeconfig" => &[
            "$adminconf",
            "/etc/kubernetes/admin.conf",
            "/var/lib/rancher/k3s/server/cred/admin.kubeconfig",
            "/var/lib/rancher/rke2/server/cred/admin.kubeconfig",
        ],
        "scheduler-kubeconfig" => &["$schedulerkubeconfig"],
        "controllermanager-kubeconfig" => &["$controllermanagerkubeconfig"],
        "pki" => &[
            "/etc/kubernetes/pki/",
            "/var/lib/rancher/k3s/server/tls",
            "/var/lib/rancher/k3s/server/tls/*.crt",
            "/var/lib/rancher/k3s/server/tls/*.key",
            "/var/lib/rancher/rke2/server/tls",
            "/var/lib/rancher/rke2/server/tls/*.crt",
            "/var/lib/rancher/rke2/server/tls/*.key",
        ],
        "kubelet-service" => &["$kubeletsvc"],
        "proxy-kubeconfig" => &["$proxykubeconfig"],
        "kubelet-kubeconfig" => &["$kubeletkubeconfig"],
        "kubelet-ca" => &["$kubeletcafile"],
        "kubelet-config" => &["$kubeletconf", "/home/kubernetes/kubelet-config.yaml"],
        "azure-json" => &["/etc/kubernetes/azure.json"],
        _ => &[],
    }
}

/// `{.a.b}` config paths as the flags our components map them to; booleans compared one way.
pub fn canonical(
    values: impl IntoIterator<Item = String>,
    keys: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    values
        .into_iter()
        .map(|v| {
            let v = match v.split_once(' ') {
                Some((name, rest)) if name.starts_with("{.") => {
                    format!("{} {rest}", keys.get(name).map_or(name, |f| f.as_str()))
                }
                _ => v,
            };
            for (from, to) in [(" ne true", " eq false"), (" ne false", " eq true")] {
                if let Some(head) = v.strip_suffix(from) {
                    return format!("{head}{to}");
                }
            }
            if let Some(gate) = v
                .strip_prefix("gate ")
                .and_then(|g| g.strip_suffix(" lacks false"))
            {
                return format!("gate {gate} eq true");
            }
            v
        })
        .collect()
}

/// Every config path our components know, as the flag it stands for.
pub fn config_paths(b: &Benchmark) -> BTreeMap<String, String> {
    b.components
        .values()
        .flat_map(|c| c.config_keys.iter())
        .map(|(flag, key)| (format!("{{.{key}}}"), flag.clone()))
        .collect()
}
