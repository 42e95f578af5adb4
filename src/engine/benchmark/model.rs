//! Validated benchmark definitions: what the evaluator works from.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A Kubernetes component a rule is about; decides on which nodes the rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    Apiserver,
    Controllermanager,
    Scheduler,
    Etcd,
    Kubelet,
    Proxy,
    /// Not a node component: the rule is judged once for the whole cluster.
    Cluster,
}

impl Component {
    /// All components in the order the collector looks for them.
    pub const NODE_COMPONENTS: [Component; 6] = [
        Component::Apiserver,
        Component::Controllermanager,
        Component::Scheduler,
        Component::Etcd,
        Component::Kubelet,
        Component::Proxy,
    ];

    /// The key used in definition files and facts documents.
    pub fn key(self) -> &'static str {
        match self {
            Component::Apiserver => "apiserver",
            Component::Controllermanager => "controllermanager",
            Component::Scheduler => "scheduler",
            Component::Etcd => "etcd",
            Component::Kubelet => "kubelet",
            Component::Proxy => "proxy",
            Component::Cluster => "cluster",
        }
    }

    /// Parses a definition-file key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::NODE_COMPONENTS
            .into_iter()
            .chain([Component::Cluster])
            .find(|c| c.key() == key)
    }
}

/// What a component does when a setting is not given (see benchmarks/components.yaml).
#[derive(Debug, Clone, Default)]
pub struct ComponentSpec {
    /// The binary name people know it by.
    pub name: String,
    pub flag_defaults: BTreeMap<String, String>,
    pub config_defaults: BTreeMap<String, String>,
    pub config_keys: BTreeMap<String, String>,
    pub admission_defaults: Vec<String>,
    /// The component reads only its config file when one is given (etcd's --config-file).
    pub config_replaces_flags: bool,
}

/// A comparison of one setting's value.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueOp {
    /// Explicitly given (defaults do not count).
    Set,
    /// Not explicitly given.
    Unset,
    Eq(String),
    Ne(String),
    Gte(f64),
    Lte(f64),
    /// A comma-separated list contains the item.
    Has(String),
    /// A comma-separated list does not contain the item.
    Lacks(String),
    /// Every item of a comma-separated list is in the allowed set.
    Only(Vec<String>),
    /// The value starts with one of these.
    StartsWith(Vec<String>),
}

/// A setting a condition reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    /// A command-line flag (with its config-file key where the component has one).
    Flag(String),
    /// One gate of --feature-gates / featureGates.
    Gate(String),
    /// A [Service] directive of the component's systemd unit.
    Unit(String),
}

/// What a file test expects.
#[derive(Debug, Clone, PartialEq)]
pub enum FileExpect {
    /// This mode or more restrictive (no permission bit outside it).
    Mode(u32),
    /// Exactly this owner and group.
    Owner { user: String, group: String },
}

/// What a file test concludes when no file is found at a guessed location
/// (a file something names and that is missing always FAILs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A custom rule's choice: ask a person.
    Warn,
    /// The rule for every shipped check: not configured on this node.
    NotApplicable,
    /// A custom rule's choice: the file must exist somewhere.
    Fail,
}

/// A test of facts; leaves read one fact, `All`/`Any` combine.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Setting {
        setting: Setting,
        op: ValueOp,
        /// Overrides the component's documented default for this test.
        default: Option<String>,
    },
    /// An admission plugin is (or is not) in effect, counting plugins on by default.
    Plugin {
        name: String,
        enabled: bool,
    },
    File {
        file: String,
        /// Only entries whose name matches this `*.ext` pattern.
        pattern: Option<String>,
        expect: FileExpect,
        missing: Missing,
    },
    /// The encryption configuration --encryption-provider-config names exists,
    /// parses, covers secrets and puts one of these providers first for them.
    EncryptionProviders(Vec<String>),
    /// The audit policy --audit-policy-file names exists, is an audit.k8s.io
    /// Policy and has at least one rule that logs.
    AuditPolicy,
    /// EventRateLimit is enabled (the audit's only question); the limits the
    /// admission configuration gives it are reported as a note.
    EventRateLimit,
    /// The file `flag` names is not the file `other`'s `other_flag` names, by path
    /// or by content (the SHA-256 digests the collector records).
    DistinctFile {
        flag: String,
        other: Component,
        other_flag: String,
    },
    /// A cluster-wide assessment made from the Kubernetes API.
    Policy(super::PolicyName),
}

/// One rule: written once, mapped to ids by each benchmark version.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub component: Component,
    /// None: a manual check, always WARN.
    pub test: Option<Condition>,
    /// What a person still has to confirm even when the test passes.
    pub manual: Option<String>,
    pub remediation: String,
    /// Where this rule knowingly judges differently from kube-bench.
    pub kube_bench: Option<KubeBenchDifference>,
}

/// A known, deliberate difference from kube-bench's verdict for one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeBenchDifference {
    /// The verdict (PASS or FAIL, before unscored/manual softening) that differs
    /// when it rests on a documented default or on a file's content.
    pub when: DiffersWhen,
    /// One sentence for the node result's reason.
    pub note: String,
}

/// Which of our verdicts differs from kube-bench's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffersWhen {
    /// We pass where kube-bench fails.
    Pass,
    /// We fail where kube-bench passes.
    Fail,
}

/// The node role a check is aimed at, as the benchmark groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Master,
    Etcd,
    Controlplane,
    Node,
    Policies,
    /// The cloud provider's own services (registry, IAM, networking), as kube-bench's eks/gke/aks benchmarks group them.
    Managedservices,
}

impl Target {
    /// The lowercase name, as in kube-bench and Rancher reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Master => "master",
            Target::Etcd => "etcd",
            Target::Controlplane => "controlplane",
            Target::Node => "node",
            Target::Policies => "policies",
            Target::Managedservices => "managedservices",
        }
    }
}

/// A benchmark section heading.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
}

/// One check of a benchmark version.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub title: String,
    /// The top-level section id ("1".."5").
    pub section: String,
    pub target: Target,
    pub scored: bool,
    /// The benchmark's own label: true for (Manual) recommendations.
    pub benchmark_manual: bool,
    /// Set when the benchmark declares the check not applicable: the reason.
    pub skip: Option<String>,
    pub rule: Arc<Rule>,
}

impl Check {
    /// True when cis-scan decides the check from facts rather than leaving it to a person.
    pub fn automated(&self) -> bool {
        self.rule.test.is_some()
    }
}

/// The Kubernetes distribution or managed service a benchmark is written for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Upstream Kubernetes as kubeadm and most installers lay it out.
    #[default]
    #[serde(alias = "kubeadm")]
    Generic,
    Rke2,
    K3s,
    Eks,
    Gke,
    Aks,
}

impl Provider {
    /// The lowercase name used in definition files and facts.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Generic => "generic",
            Provider::Rke2 => "rke2",
            Provider::K3s => "k3s",
            Provider::Eks => "eks",
            Provider::Gke => "gke",
            Provider::Aks => "aks",
        }
    }

    /// Parses a name as definition files, snapshots and reports spell it
    /// ("kubeadm" is the generic provider).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "kubeadm" {
            return Some(Provider::Generic);
        }
        [
            Provider::Generic,
            Provider::Rke2,
            Provider::K3s,
            Provider::Eks,
            Provider::Gke,
            Provider::Aks,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Managed providers run the control plane and etcd themselves.
    pub fn managed_name(self) -> Option<&'static str> {
        match self {
            Provider::Eks => Some("EKS"),
            Provider::Gke => Some("GKE"),
            Provider::Aks => Some("AKS"),
            _ => None,
        }
    }
}

/// A (major, minor) Kubernetes version.
pub type KubeVersion = (u32, u32);

/// One benchmark version with its checks.
#[derive(Debug, Clone)]
pub struct Benchmark {
    pub id: String,
    pub title: String,
    /// The distribution this benchmark is written for.
    pub provider: Provider,
    pub kubernetes_min: Option<KubeVersion>,
    pub kubernetes_max: Option<KubeVersion>,
    pub sections: Vec<Section>,
    pub checks: Vec<Check>,
    pub components: Arc<BTreeMap<Component, ComponentSpec>>,
}

impl Benchmark {
    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// True when this benchmark is meant for that Kubernetes version.
    pub fn covers(&self, v: KubeVersion) -> bool {
        self.kubernetes_min.is_some_and(|min| v >= min)
            && self.kubernetes_max.is_none_or(|max| v <= max)
    }

    /// What a component does by default.
    pub fn component(&self, c: Component) -> Option<&ComponentSpec> {
        self.components.get(&c)
    }
}
