//! An in-process fake Kubernetes API server on loopback. The real kube client
//! talks to it over HTTP through a kubeconfig, so the request code under test
//! is the code that runs against real clusters.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// What the fake cluster holds and what it saw.
#[derive(Default)]
pub struct FakeCluster {
    pub git_version: String,
    pub nodes: Vec<Value>,
    /// Collector output per node; a node without one gets a failing Job.
    pub facts: HashMap<String, String>,
    /// Nodes whose Job never finishes.
    pub hang: HashSet<String>,
    /// How long every Job stays active after it was created (a real collector takes seconds).
    pub job_duration: std::time::Duration,
    /// When each Job was created.
    pub job_created_at: Mutex<HashMap<String, std::time::Instant>>,
    /// Pods in every namespace (workloads and static control-plane pods).
    pub pods: Vec<Value>,
    pub cluster_roles: Vec<Value>,
    pub roles: Vec<Value>,
    pub cluster_role_bindings: Vec<Value>,
    pub role_bindings: Vec<Value>,
    pub namespaces: Vec<Value>,
    pub network_policies: Vec<Value>,
    pub service_accounts: Vec<Value>,
    pub configz: HashMap<String, Value>,
    /// Paths (prefix match) answered 403.
    pub forbidden: Vec<String>,
    pub jobs: Mutex<HashMap<String, Value>>,
    pub created: Mutex<Vec<String>>,
    pub deleted: Mutex<Vec<String>>,
    /// How many pod pages were served (for paging tests).
    pub pod_pages: Mutex<usize>,
    /// Requests received, of any kind.
    pub requests: Mutex<usize>,
    /// Authorization headers received.
    pub authorizations: Mutex<Vec<String>>,
    /// Answer every request with this status and a body holding [`REMOTE_MARKER`].
    pub fail_all: Option<u16>,
}

/// Text the fake puts in error bodies; it must never reach an API client.
pub const REMOTE_MARKER: &str = "REMOTE-BODY-MARKER-7f3a";

/// An error answer whose body holds the marker: a Status for 401/403 (as
/// real API servers send), plain text otherwise (as proxies in front send).
fn marked(code: u16) -> HttpResponse {
    if code == 401 || code == 403 {
        return status(code, "Marked", &format!("{REMOTE_MARKER} user secret-user"));
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap())
        .content_type("text/html")
        .body(format!("<html>{REMOTE_MARKER} internal stack trace</html>"))
}

fn list(kind: &str, items: &[Value], cont: Option<String>) -> HttpResponse {
    let mut meta = json!({ "resourceVersion": "1" });
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    HttpResponse::Ok().json(json!({ "apiVersion": "v1", "kind": format!("{kind}List"), "metadata": meta, "items": items }))
}

fn status(code: u16, reason: &str, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).json(json!({
        "apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code
    }))
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// True when `obj`'s labels match a label selector of `k=v` and `k` (exists) terms.
fn selects(selector: &str, obj: &Value) -> bool {
    let labels = &obj["metadata"]["labels"];
    selector
        .split(',')
        .filter(|t| !t.is_empty())
        .all(|term| match term.split_once('=') {
            Some((k, v)) => labels[k].as_str() == Some(v),
            None => labels.get(term).is_some(),
        })
}

fn node_of_job(job: &Value) -> String {
    job["spec"]["template"]["spec"]["nodeName"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn handle(req: HttpRequest, body: web::Bytes, fake: web::Data<FakeCluster>) -> HttpResponse {
    *fake.requests.lock().unwrap() += 1;
    if let Some(a) = req.headers().get("authorization") {
        let a = String::from_utf8_lossy(a.as_bytes()).into_owned();
        fake.authorizations.lock().unwrap().push(a);
    }
    if let Some(code) = fake.fail_all {
        return marked(code);
    }
    let path = req.path().to_string();
    let method = req.method().as_str().to_string();
    if fake.forbidden.iter().any(|p| path.starts_with(p)) {
        return status(
            403,
            "Forbidden",
            &format!("User \"system:serviceaccount:cis-scan:cis-scan\" cannot access {path}"),
        );
    }
    let q = query(&req);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["version"]) => HttpResponse::Ok().json(json!({
            "major": "1", "minor": "30", "gitVersion": fake.git_version, "gitCommit": "abc", "gitTreeState": "clean",
            "buildDate": "2024-08-14T00:00:00Z", "goVersion": "go1.22.5", "compiler": "gc", "platform": "linux/amd64"
        })),
        ("GET", ["api", "v1", "nodes"]) => list("Node", &fake.nodes, None),
        ("GET", ["api", "v1", "nodes", node, "proxy", "configz"]) => match fake.configz.get(*node) {
            Some(v) => HttpResponse::Ok().json(json!({ "kubeletconfig": v })),
            None => status(404, "NotFound", "no configz"),
        },
        ("GET", ["api", "v1", "pods"]) => {
            // pages of `limit`, continue token = next offset
            let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(usize::MAX);
            let start: usize = q.get("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
            let end = (start.saturating_add(limit)).min(fake.pods.len());
            *fake.pod_pages.lock().unwrap() += 1;
            let cont = (end < fake.pods.len()).then(|| end.to_string());
            list("Pod", &fake.pods[start..end], cont)
        }
        ("GET", ["api", "v1", "namespaces", ns, "pods"]) => {
            if let Some(job) = q.get("labelSelector").and_then(|s| s.strip_prefix("job-name=")) {
                let jobs = fake.jobs.lock().unwrap();
                let items: Vec<Value> = jobs.get(job).map(|_| json!({ "metadata": { "name": format!("{job}-abcde"), "namespace": ns, "labels": { "job-name": job } } })).into_iter().collect();
                return list("Pod", &items, None);
            }
            let items: Vec<Value> = fake.pods.iter().filter(|p| p["metadata"]["namespace"] == *ns).cloned().collect();
            list("Pod", &items, None)
        }
        ("GET", ["api", "v1", "namespaces", _ns, "pods", pod, "log"]) => {
            let job = pod.trim_end_matches("-abcde");
            let jobs = fake.jobs.lock().unwrap();
            let Some(j) = jobs.get(job) else { return status(404, "NotFound", "no pod") };
            let node = node_of_job(j);
            HttpResponse::Ok().content_type("text/plain").body(fake.facts.get(&node).cloned().unwrap_or_else(|| format!("cis-scan: cannot read /host on {node}\n")))
        }
        ("DELETE", ["api", "v1", "namespaces", _ns, "pods"]) => {
            fake.deleted.lock().unwrap().push(format!("pods?{}", q.get("labelSelector").cloned().unwrap_or_default()));
            list("Pod", &[], None)
        }
        ("POST", ["apis", "batch", "v1", "namespaces", _ns, "jobs"]) => {
            let job: Value = serde_json::from_slice(&body).unwrap();
            let name = job["metadata"]["name"].as_str().unwrap().to_string();
            fake.created.lock().unwrap().push(name.clone());
            fake.job_created_at.lock().unwrap().insert(name.clone(), std::time::Instant::now());
            fake.jobs.lock().unwrap().insert(name, job.clone());
            HttpResponse::Created().json(job)
        }
        ("GET", ["apis", "batch", "v1", "namespaces", _ns, "jobs", name]) => {
            let jobs = fake.jobs.lock().unwrap();
            let Some(j) = jobs.get(*name) else { return status(404, "NotFound", "no job") };
            let node = node_of_job(j);
            let mut j = j.clone();
            let running = fake.job_created_at.lock().unwrap().get(*name).is_some_and(|t| t.elapsed() < fake.job_duration);
            if fake.hang.contains(&node) || running {
                j["status"] = json!({ "active": 1 });
            } else if fake.facts.contains_key(&node) {
                j["status"] = json!({ "succeeded": 1 });
            } else {
                j["status"] = json!({ "failed": 1 });
            }
            HttpResponse::Ok().json(j)
        }
        ("DELETE", ["apis", "batch", "v1", "namespaces", _ns, "jobs", name]) => {
            fake.deleted.lock().unwrap().push(name.to_string());
            fake.jobs.lock().unwrap().remove(*name);
            HttpResponse::Ok().json(json!({ "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 200 }))
        }
        ("GET", ["apis", "batch", "v1", "namespaces", _ns, "jobs"]) => {
            let selector = q.get("labelSelector").cloned().unwrap_or_default();
            let items: Vec<Value> = fake.jobs.lock().unwrap().values().filter(|j| selects(&selector, j)).cloned().collect();
            list("Job", &items, None)
        }
        ("DELETE", ["apis", "batch", "v1", "namespaces", _ns, "jobs"]) => {
            let selector = q.get("labelSelector").cloned().unwrap_or_default();
            fake.deleted.lock().unwrap().push(format!("jobs?{selector}"));
            let mut jobs = fake.jobs.lock().unwrap();
            let gone: Vec<Value> = jobs.values().filter(|j| !selector.is_empty() && selects(&selector, j)).cloned().collect();
            jobs.retain(|_, j| selector.is_empty() || !selects(&selector, j));
            list("Job", &gone, None)
        }
        ("GET", ["apis", "rbac.authorization.k8s.io", "v1", "clusterroles"]) => list("ClusterRole", &fake.cluster_roles, None),
        ("GET", ["apis", "rbac.authorization.k8s.io", "v1", "roles"]) => list("Role", &fake.roles, None),
        ("GET", ["apis", "rbac.authorization.k8s.io", "v1", "clusterrolebindings"]) => list("ClusterRoleBinding", &fake.cluster_role_bindings, None),
        ("GET", ["apis", "rbac.authorization.k8s.io", "v1", "rolebindings"]) => list("RoleBinding", &fake.role_bindings, None),
        ("GET", ["api", "v1", "namespaces"]) => list("Namespace", &fake.namespaces, None),
        ("GET", ["api", "v1", "serviceaccounts"]) => list("ServiceAccount", &fake.service_accounts, None),
        ("GET", ["apis", "networking.k8s.io", "v1", "networkpolicies"]) => list("NetworkPolicy", &fake.network_policies, None),
        _ => status(404, "NotFound", &format!("the fake API server does not serve {method} {path}")),
    }
}

/// A running fake API server.
pub struct FakeApi {
    pub port: u16,
    pub cluster: Arc<FakeCluster>,
    pub handle: actix_web::dev::ServerHandle,
}

impl FakeApi {
    /// Serves `cluster` on a random loopback port, on a thread of its own (so
    /// blocking callers such as a child process do not starve it).
    pub fn start(cluster: FakeCluster) -> FakeApi {
        let data = web::Data::new(cluster);
        let shared = data.clone().into_inner();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .app_data(web::PayloadConfig::new(1 << 24))
                        .default_service(web::to(handle))
                })
                .workers(1)
                .bind(("127.0.0.1", 0))
                .unwrap();
                let port = server.addrs()[0].port();
                let server = server.run();
                tx.send((port, server.handle())).unwrap();
                let _ = server.await;
            })
        });
        let (port, handle) = rx.recv().unwrap();
        FakeApi {
            port,
            cluster: shared,
            handle,
        }
    }

    /// A kubeconfig that points at the fake.
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:{}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: scanner\ncurrent-context: fake\nusers:\n- name: scanner\n  user:\n    token: fake-token\n",
            self.port
        )
    }

    /// A kubeconfig that points at the fake, with extra lines under `cluster:`
    /// and these lines as `user:` (each indented by four spaces).
    pub fn kubeconfig_with(&self, cluster_extra: &str, user: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:{}\n{cluster_extra}contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: scanner\ncurrent-context: fake\nusers:\n- name: scanner\n  user:\n{user}",
            self.port
        )
    }

    /// Requests the fake has received.
    pub fn requests(&self) -> usize {
        *self.cluster.requests.lock().unwrap()
    }

    /// A kube client for the fake.
    pub async fn client(&self) -> kube::Client {
        cis_scan::sources::live::client_from_kubeconfig(&self.kubeconfig(), None)
            .await
            .unwrap()
    }
}

/// A node object as the API returns it.
pub fn node(name: &str, labels: Value, os: &str, provider_id: &str) -> Value {
    let mut l = labels;
    l["kubernetes.io/os"] = json!(os);
    l["kubernetes.io/hostname"] = json!(name);
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": { "name": name, "labels": l },
        "spec": { "providerID": provider_id },
        "status": { "nodeInfo": { "operatingSystem": os, "architecture": "amd64", "kubeletVersion": "v1.30.4",
            "bootID": "", "containerRuntimeVersion": "containerd://1.7.20", "kernelVersion": "6.1.0", "kubeProxyVersion": "v1.30.4",
            "machineID": "", "osImage": "Debian GNU/Linux 12", "systemUUID": "" } }
    })
}
