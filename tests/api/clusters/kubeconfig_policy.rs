//! Kubeconfigs through `registerCluster`: every refused field answers
//! BAD_USER_INPUT naming it, and nothing runs, is read, is sent or is stored.
//! A kubeconfig stored before the policy existed is refused at start-up.

use crate::support::app::{spawn_app, TestApp};
use crate::support::fakekube::{FakeApi, FakeCluster};
use crate::support::requests::code;
use serde_json::{json, Value};

const REGISTER: &str =
    "mutation($k: String!) { registerCluster(name: \"Probe\", kubeconfig: $k) { id } }";

/// A service, a fake API server the kubeconfigs point at, and a scratch directory.
struct Probe {
    app: TestApp,
    api: FakeApi,
    dir: tempfile::TempDir,
}

impl Probe {
    async fn new() -> Probe {
        Probe {
            app: spawn_app().await,
            api: FakeApi::start(FakeCluster::default()),
            dir: tempfile::TempDir::new().unwrap(),
        }
    }

    /// A path in the scratch directory.
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Registers `kubeconfig` and checks the refusal: BAD_USER_INPUT naming
    /// `field`. Returns the answer.
    async fn register(&self, kubeconfig: &str, field: &str) -> Value {
        let r = self.app.gql(REGISTER, json!({ "k": kubeconfig })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
        let message = r["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("{field} is not accepted through the API")),
            "{message}"
        );
        r
    }

    /// As [`Probe::register`], then checks that nothing was sent or stored.
    async fn refused(&self, kubeconfig: &str, field: &str) -> Value {
        let r = self.register(kubeconfig, field).await;
        self.nothing_sent_or_stored().await;
        r
    }

    /// No request reached the fake API server and no cluster was stored.
    async fn nothing_sent_or_stored(&self) {
        assert_eq!(self.api.requests(), 0, "the fake API server was contacted");
        let listed = self.app.ok("{ clusters { id } }", json!({})).await;
        assert!(!listed.to_string().contains("probe"), "{listed}");
        let row = self.app.state.store().cluster_any("probe").await.unwrap();
        assert!(row.is_none(), "a cluster was stored");
    }

    /// A kubeconfig whose user has only these lines.
    fn with_user(&self, user: &str) -> String {
        self.api.kubeconfig_with("", user)
    }

    /// A kubeconfig whose cluster has these extra lines (the user has a token).
    fn with_cluster(&self, cluster: &str) -> String {
        self.api.kubeconfig_with(cluster, "    token: fake-token\n")
    }
}

#[actix_web::test]
async fn exec_is_refused_and_its_command_never_runs() {
    let p = Probe::new().await;
    let ran = p.path("ran");
    let kc = p.with_user(&format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: [\"-c\", \"touch {ran}; echo '{{\\\"apiVersion\\\":\\\"client.authentication.k8s.io/v1\\\",\\\"kind\\\":\\\"ExecCredential\\\",\\\"status\\\":{{\\\"token\\\":\\\"t\\\"}}}}'\"]\n"
    ));
    p.register(&kc, "users[0].user.exec").await;
    assert!(!std::path::Path::new(&ran).exists(), "the exec command ran");
    p.nothing_sent_or_stored().await;
}

#[actix_web::test]
async fn auth_provider_is_refused_and_its_command_never_runs() {
    let p = Probe::new().await;
    let ran = p.path("ran");
    // kube runs `cmd-path` with `cmd-args` split on spaces
    let kc = p.with_user(&format!(
        "    auth-provider:\n      name: gcp\n      config:\n        cmd-path: touch\n        cmd-args: {ran}\n"
    ));
    p.register(&kc, "users[0].user.auth-provider").await;
    let ran = std::path::Path::new(&ran).exists();
    assert!(!ran, "the auth-provider command ran");
    p.nothing_sent_or_stored().await;
}

#[actix_web::test]
async fn token_file_is_refused_and_the_file_never_leaves() {
    let p = Probe::new().await;
    let file = p.path("token");
    std::fs::write(&file, "SECRET-FROM-A-SERVER-FILE").unwrap();
    let kc = p.with_user(&format!("    tokenFile: {file}\n"));
    let r = p.register(&kc, "users[0].user.tokenFile").await;
    assert!(!r.to_string().contains("SECRET-FROM-A-SERVER-FILE"), "{r}");
    assert!(!r.to_string().contains(&file), "the path is echoed: {r}");
    let sent = p.api.cluster.authorizations.lock().unwrap().clone();
    assert!(sent.is_empty(), "the file's content was sent: {sent:?}");
    p.nothing_sent_or_stored().await;
}

#[actix_web::test]
async fn client_certificate_file_is_refused() {
    let p = Probe::new().await;
    let kc = p.with_user(
        "    client-certificate: /etc/ssl/certs/ca-certificates.crt\n    client-key-data: S0VZ\n",
    );
    p.refused(&kc, "users[0].user.client-certificate").await;
}

#[actix_web::test]
async fn client_key_file_is_refused() {
    let p = Probe::new().await;
    let kc = p.with_user("    client-certificate-data: Q0VSVA==\n    client-key: /etc/shadow\n");
    p.refused(&kc, "users[0].user.client-key").await;
}

#[actix_web::test]
async fn certificate_authority_file_is_refused() {
    let p = Probe::new().await;
    let kc = p.with_cluster("    certificate-authority: /etc/ssl/certs/ca-certificates.crt\n");
    p.refused(&kc, "clusters[0].cluster.certificate-authority")
        .await;
}

#[actix_web::test]
async fn proxy_url_is_refused() {
    let p = Probe::new().await;
    // the fake itself as the proxy: a client that used it would be seen there
    let kc = p.with_cluster(&format!("    proxy-url: http://127.0.0.1:{}\n", p.api.port));
    p.refused(&kc, "clusters[0].cluster.proxy-url").await;
}

#[actix_web::test]
async fn basic_auth_username_is_refused() {
    let p = Probe::new().await;
    p.refused(
        &p.with_user("    username: admin\n"),
        "users[0].user.username",
    )
    .await;
}

#[actix_web::test]
async fn basic_auth_password_is_refused_without_echoing_it() {
    let p = Probe::new().await;
    let r = p
        .refused(
            &p.with_user("    password: hunter2-secret\n"),
            "users[0].user.password",
        )
        .await;
    assert!(!r.to_string().contains("hunter2-secret"), "{r}");
}

#[actix_web::test]
async fn insecure_skip_tls_verify_is_refused() {
    let p = Probe::new().await;
    let kc = p.with_cluster("    insecure-skip-tls-verify: true\n");
    p.refused(&kc, "clusters[0].cluster.insecure-skip-tls-verify")
        .await;
}

#[actix_web::test]
async fn impersonation_is_refused() {
    let p = Probe::new().await;
    let kc = p.with_user("    token: fake-token\n    as: system:admin\n");
    p.refused(&kc, "users[0].user.as").await;
}

#[actix_web::test]
async fn unknown_fields_are_refused() {
    let p = Probe::new().await;
    let kc = p.with_cluster("    disable-compression: true\n");
    p.refused(&kc, "clusters[0].cluster.disable-compression")
        .await;
}

#[actix_web::test]
async fn plain_http_to_a_remote_address_is_refused() {
    let p = Probe::new().await;
    let kc = p.api.kubeconfig().replace(
        &format!("http://127.0.0.1:{}", p.api.port),
        "http://169.254.169.254",
    );
    p.refused(&kc, "clusters[0].cluster.server").await;
    let kc = p.api.kubeconfig().replace(
        &format!("http://127.0.0.1:{}", p.api.port),
        "http://10.0.0.1:6443",
    );
    p.refused(&kc, "clusters[0].cluster.server").await;
}

#[actix_web::test]
async fn an_oversized_kubeconfig_is_refused() {
    let p = Probe::new().await;
    let kc = format!("{}# {}\n", p.api.kubeconfig(), "x".repeat(140 * 1024));
    let r = p.app.gql(REGISTER, json!({ "k": kc })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(r.to_string().contains("bytes is more than"), "{r}");
}

#[actix_web::test]
async fn only_checked_fields_are_stored() {
    let p = Probe::new().await;
    let kc = p.api.kubeconfig_with(
        "    extensions:\n    - name: cluster_info\n      extension: {provider: minikube.sigs.k8s.io}\n",
        "    token: fake-token\n",
    );
    p.app.ok(REGISTER, json!({ "k": kc })).await;
    let row = p
        .app
        .state
        .store()
        .cluster_any("probe")
        .await
        .unwrap()
        .unwrap();
    let key = cis_scan::service::clusters::encryption_key(&p.app.state.settings).unwrap();
    let stored = cis_scan::service::secret::open(&key, row.secret.as_deref().unwrap()).unwrap();
    assert!(
        stored.contains("fake-token") && !stored.contains("minikube"),
        "{stored}"
    );
}

#[actix_web::test]
async fn a_stored_kubeconfig_with_exec_is_refused_at_start_up() {
    let api = FakeApi::start(FakeCluster::default());
    let dir = tempfile::TempDir::new().unwrap();
    let ran = dir.path().join("ran");
    let app = TestApp::builder().spawn().await;
    // stored as an older version would have: exec and all
    let kc = api.kubeconfig_with(
        "",
        &format!("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: [\"-c\", \"touch {}\"]\n", ran.display()),
    );
    let key = cis_scan::service::clusters::encryption_key(&app.state.settings).unwrap();
    let sealed = cis_scan::service::secret::seal(&key, &kc).unwrap();
    app.state
        .store()
        .insert_registered_cluster(
            "old",
            "Old",
            "kubernetes registered cluster old",
            &sealed,
            false,
        )
        .await
        .unwrap();
    app.server.stop(false).await;
    let app2 = TestApp::builder().database(&app.database).spawn().await;
    let scan = app2.scan_to_end("old").await;
    assert_eq!(scan["state"], "FAILED", "{scan}");
    let message = scan["message"].as_str().unwrap();
    assert!(
        message.contains("registered cluster 'old'") && message.contains("users[0].user.exec"),
        "{message}"
    );
    assert!(!ran.exists(), "the stored exec command ran");
    assert_eq!(api.requests(), 0);
}

#[actix_web::test]
async fn a_configured_kubeconfig_keeps_its_exec_plugin() {
    // the operator's own file: the exec plugin runs and its token is used
    let api = FakeApi::start(crate::clusters::live::kubeadm_cluster());
    let dir = tempfile::TempDir::new().unwrap();
    let credential = r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-the-plugin"}}"#;
    let kc = api.kubeconfig_with(
        "",
        &format!("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args:\n      - -c\n      - echo '{credential}'\n"),
    );
    let path = dir.path().join("operator.kubeconfig");
    std::fs::write(&path, kc).unwrap();
    let app = TestApp::builder()
        .configured_cluster(cis_scan::sources::ClusterSettings {
            id: "ops".into(),
            name: None,
            snapshot: None,
            kubeconfig: Some(path),
            context: None,
            in_cluster: false,
            agentless: Some(true),
            benchmark: None,
        })
        .spawn()
        .await;
    let d = app
        .ok("{ cluster(id: \"ops\") { sourceKind } }", json!({}))
        .await;
    assert_eq!(d["cluster"]["sourceKind"], "KUBECONFIG");
    let scan = app.scan_to_end("ops").await;
    assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
    let sent = api.cluster.authorizations.lock().unwrap().clone();
    assert!(
        sent.iter().all(|a| a == "Bearer from-the-plugin") && !sent.is_empty(),
        "{sent:?}"
    );
}
