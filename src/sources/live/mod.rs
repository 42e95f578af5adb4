//! Live clusters through kube: discovery, node collection with Jobs (or
//! agentless), and section 5 facts from the API, behind `ClusterSource`.

pub mod agentless;
pub mod discovery;
pub mod errors;
pub mod jobs;
pub mod kubeconfig_policy;
pub mod kubeconfig_reach;
mod kubeconfig_url;
pub mod policies;

pub use errors::api_error;

use crate::engine::facts::NodeFacts;
use crate::engine::report::ReadMode;
use crate::error::{Error, Result};
use crate::sources::{ClusterSource, Gathered, NodeProgress};
use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::Client;
use serde::Deserialize;

/// How a live cluster is scanned.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LiveSettings {
    /// Namespace for collector Jobs.
    pub namespace: String,
    /// Collector image (cis-scan's own).
    pub image: String,
    /// Jobs running at once.
    pub concurrency: usize,
    /// How long one node's collector Job may run (whole seconds: it is also the
    /// Job's `activeDeadlineSeconds`).
    #[serde(with = "humantime_serde")]
    pub node_timeout: std::time::Duration,
    /// Jobs are garbage-collected this long after finishing, should cleanup fail
    /// (whole seconds: the Job's `ttlSecondsAfterFinished`).
    #[serde(with = "humantime_serde")]
    pub job_ttl: std::time::Duration,
    /// How often a Job's status is polled.
    #[serde(with = "humantime_serde")]
    pub poll_interval: std::time::Duration,
    /// Extra tolerations for collector pods (Kubernetes toleration objects).
    pub tolerations: Vec<serde_json::Value>,
    /// No pods on nodes: read static pods and configz through the API.
    pub agentless: bool,
    /// Registered clusters may have an API server on this machine (loopback):
    /// `kubectl proxy`, local test clusters. Off by default: loopback is the
    /// service's own neighbours (its database, itself).
    pub allow_loopback_servers: bool,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            namespace: "cis-scan".into(),
            image: format!("ghcr.io/cis-scan/cis-scan:{}", env!("CARGO_PKG_VERSION")),
            concurrency: 10,
            node_timeout: std::time::Duration::from_secs(120),
            job_ttl: std::time::Duration::from_secs(600),
            poll_interval: std::time::Duration::from_secs(1),
            tolerations: Vec::new(),
            agentless: false,
            allow_loopback_servers: false,
        }
    }
}

/// How long a request to a live cluster may wait for an answer: kube waits
/// forever by default, and a server that accepts connections but never answers
/// would hold a scan (and its cluster) for good.
pub const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A kube client from a kubeconfig text (and optional context), trusted as is:
/// for the operator's own kubeconfigs (exec plugins allowed). Kubeconfigs from
/// API clients go through [`client_from_checked`].
pub async fn client_from_kubeconfig(text: &str, context: Option<&str>) -> Result<Client> {
    let kc = Kubeconfig::from_yaml(text)
        .map_err(|e| Error::Invalid(format!("kubeconfig: {}", config_error(&e))))?;
    client_from(kc, context).await
}

/// A kube client from a kubeconfig that passed the policy for API clients.
pub async fn client_from_checked(
    kc: &kubeconfig_policy::CheckedKubeconfig,
    context: Option<&str>,
) -> Result<Client> {
    client_from(kc.kubeconfig()?, context).await
}

async fn client_from(kc: Kubeconfig, context: Option<&str>) -> Result<Client> {
    let opts = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| Error::Invalid(format!("kubeconfig: {}", config_error(&e))))?;
    cfg.read_timeout.get_or_insert(READ_TIMEOUT);
    Client::try_from(cfg).map_err(|e| Error::Invalid(format!("kube client: {}", client_error(&e))))
}

/// A kubeconfig error without the parser's quote of the text (it may hold a token).
fn config_error(e: &kube::config::KubeconfigError) -> String {
    match e {
        kube::config::KubeconfigError::Parse(e) => match e.location() {
            Some(l) => format!("not valid YAML (line {}, column {})", l.line(), l.column()),
            None => "not valid YAML".into(),
        },
        other => other.to_string(),
    }
}

/// A client-building error without a credential plugin's output.
fn client_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Auth(_) => {
            "the credentials could not be obtained (credential plugin or token failed)".into()
        }
        other => other.to_string(),
    }
}

/// The client of the pod the service runs in.
pub fn client_in_cluster() -> Result<Client> {
    let cfg = kube::Config::incluster()
        .map_err(|e| Error::Invalid(format!("not running in a cluster: {e}")))?;
    Client::try_from(cfg).map_err(|e| Error::Invalid(format!("kube client: {e}")))
}

/// A live cluster.
pub struct LiveSource {
    pub client: Client,
    pub settings: LiveSettings,
    pub label: String,
    kind: crate::sources::SourceKind,
    last_version: std::sync::Mutex<Option<String>>,
    /// Servers whose addresses are judged before every use (registered clusters).
    judged: Vec<(String, String)>,
}

impl LiveSource {
    /// A source over a client.
    pub fn new(client: Client, settings: LiveSettings, label: impl Into<String>) -> Self {
        LiveSource {
            client,
            settings,
            label: label.into(),
            kind: crate::sources::SourceKind::Kubeconfig,
            last_version: Default::default(),
            judged: Vec::new(),
        }
    }

    /// The same source, of another kind (in-cluster, registered).
    pub fn of_kind(self, kind: crate::sources::SourceKind) -> Self {
        LiveSource { kind, ..self }
    }

    /// The same source, judging where `servers` resolve before each use: a
    /// registered name may resolve elsewhere since it was checked, and the
    /// check runs per scan rather than at start-up (no DNS wait to start).
    pub fn judging_reach(self, servers: Vec<(String, String)>) -> Self {
        LiveSource {
            judged: servers,
            ..self
        }
    }

    async fn judge_reach(&self) -> Result<()> {
        kubeconfig_reach::check_reach(&self.judged, self.settings.allow_loopback_servers).await
    }
}

/// Deletes every collector Job of a scan when dropped: runs on success, failure and cancel alike.
/// (A process killed outright runs no destructor: the next one removes the Jobs
/// through [`ClusterSource::remove_objects`].)
struct Cleanup {
    client: Client,
    namespace: String,
    scan: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (client, ns, scan) = (
            self.client.clone(),
            self.namespace.clone(),
            self.scan.clone(),
        );
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = jobs::delete_scan_objects(&client, &ns, &scan).await;
            });
        }
    }
}

#[async_trait::async_trait]
impl ClusterSource for LiveSource {
    fn describe(&self) -> String {
        format!(
            "kubernetes {}{}",
            self.label,
            if self.settings.agentless {
                " (agentless)"
            } else {
                ""
            }
        )
    }

    fn kind(&self) -> crate::sources::SourceKind {
        self.kind
    }

    fn kubernetes_version(&self) -> Option<String> {
        self.last_version
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    async fn scans_with_objects(&self) -> Result<Vec<uuid::Uuid>> {
        self.judge_reach().await?;
        jobs::scans_with_jobs(&self.client, &self.settings.namespace).await
    }

    async fn remove_objects(&self, scan: uuid::Uuid) -> Result<()> {
        self.judge_reach().await?;
        let label = scan.simple().to_string();
        jobs::delete_scan_objects(&self.client, &self.settings.namespace, &label).await
    }

    async fn gather(&self, scan: uuid::Uuid, progress: NodeProgress<'_>) -> Result<Gathered> {
        progress(0, 0, "discovering the cluster");
        self.judge_reach().await?;
        let info = self
            .client
            .apiserver_version()
            .await
            .map_err(|e| api_error(e, "read the API server version"))?;
        let version = discovery::clean_version(&info.git_version);
        *self.last_version.lock().unwrap_or_else(|p| p.into_inner()) = Some(version.clone());
        let nodes: Vec<Node> = Api::<Node>::all(self.client.clone())
            .list(&ListParams::default())
            .await
            .map_err(|e| api_error(e, "list nodes"))?
            .items;
        let provider = discovery::provider(&info.git_version, &nodes);
        let mut linux = Vec::new();
        let mut excluded = Vec::new();
        for n in &nodes {
            let name = n.metadata.name.clone().unwrap_or_default();
            let os = discovery::os(n);
            if os == "linux" {
                linux.push((name, discovery::roles(n)));
            } else {
                excluded.push((name, format!("{os} nodes cannot be scanned")));
            }
        }
        if linux.is_empty() {
            return Err(Error::Invalid(format!(
                "the cluster has no Linux node to scan ({} node(s) excluded)",
                excluded.len()
            )));
        }
        let total = linux.len();
        progress(
            0,
            total,
            &format!(
                "found {total} Linux node(s) on {} {version}",
                provider.as_str()
            ),
        );
        let mut facts: Vec<NodeFacts> = if self.settings.agentless {
            let pods = agentless::static_pods(&self.client).await?;
            let mut out = Vec::with_capacity(total);
            for (i, (name, _)) in linux.iter().enumerate() {
                let kubelet = agentless::configz(&self.client, name).await;
                out.push(agentless::node_facts(name, pods.get(name), kubelet));
                progress(i + 1, total, &format!("read {name} through the API"));
            }
            out
        } else {
            let scan = scan.simple().to_string();
            let _cleanup = Cleanup {
                client: self.client.clone(),
                namespace: self.settings.namespace.clone(),
                scan: scan.clone(),
            };
            let done = std::sync::atomic::AtomicUsize::new(0);
            let names: Vec<String> = linux.iter().map(|(n, _)| n.clone()).collect();
            let (scan_ref, done_ref) = (&scan, &done);
            let futs: Vec<_> = names
                .into_iter()
                .map(|name: String| async move {
                    let f = jobs::collect_node(&self.client, &self.settings, scan_ref, &name).await;
                    let done = done_ref;
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    let msg = match &f.collection_error {
                        Some(e) => format!("node {name} failed: {e}"),
                        None => format!("collected {name}"),
                    };
                    progress(n, total, &msg);
                    f
                })
                .collect();
            futures_util::stream::iter(futs)
                .buffered(self.settings.concurrency.max(1))
                .collect()
                .await
        };
        for (f, (_, roles)) in facts.iter_mut().zip(&linux) {
            f.roles = roles.clone();
        }
        progress(total, total, "reading RBAC, namespaces and workloads");
        let cluster = policies::cluster_facts(&self.client).await;
        Ok(Gathered {
            kubernetes_version: Some(version),
            provider: Some(provider),
            nodes: facts,
            excluded,
            cluster: Some(cluster),
            mode: Some(if self.settings.agentless {
                ReadMode::Agentless
            } else {
                ReadMode::Jobs
            }),
            managed_by: provider.managed_name().map(str::to_string),
        })
    }
}
