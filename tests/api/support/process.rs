//! The real `cis-scan` binary as a child process, for fault tests that kill it.

use crate::support::wait::{wait_for, EVENT};
use std::process::{Child, Command, Stdio};

/// `cis-scan serve --config FILE` on a port of its own choosing, killed (SIGKILL)
/// when dropped so a failing test leaves no process behind.
pub struct Serve {
    pub child: Child,
    pub address: String,
    _ready: tempfile::TempDir,
}

impl Serve {
    /// Starts the service on `127.0.0.1:0` (whatever the file says), reads the address it
    /// bound from its `--ready-file`, and waits (bounded) until `/healthz` answers.
    pub async fn start(config: &std::path::Path) -> Serve {
        let ready = tempfile::TempDir::new().unwrap();
        let ready_file = ready.path().join("address");
        let child = Command::new(env!("CARGO_BIN_EXE_cis-scan"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .args(["--listen", "127.0.0.1:0", "--ready-file"])
            .arg(&ready_file)
            .env_remove("CIS_SCAN_LISTEN")
            .env_remove("CIS_SCAN_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start cis-scan serve");
        let mut serve = Serve {
            child,
            address: String::new(),
            _ready: ready,
        };
        let bound = wait_for("cis-scan serve to write its address", EVENT, || {
            if let Some(status) = serve.child.try_wait().unwrap() {
                panic!("cis-scan serve exited at start-up: {status}");
            }
            let address = std::fs::read_to_string(&ready_file).ok();
            async move { address }
        })
        .await;
        serve.address = format!("http://{}", bound.trim());
        let client = crate::support::app::client();
        let health = format!("{}/healthz", serve.address);
        wait_for("/healthz to answer 200", EVENT, || {
            let r = client.get(&health).send();
            async move { r.await.ok().filter(|r| r.status().is_success()) }
        })
        .await;
        serve
    }

    /// SIGKILL, as the OOM killer or a lost node would: no destructor, no cleanup runs.
    pub fn kill9(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A child process killed when dropped: a test that fails while it waits on one
/// leaves no process behind.
pub struct KilledOnDrop(Option<std::process::Child>);

impl KilledOnDrop {
    /// Takes charge of `child`.
    pub fn new(child: std::process::Child) -> Self {
        KilledOnDrop(Some(child))
    }

    /// The running child.
    pub fn child(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("a child not yet taken")
    }

    /// The child, no longer killed on drop (it exited, or the test ends it itself).
    pub fn into_inner(mut self) -> std::process::Child {
        self.0.take().expect("a child not yet taken")
    }
}

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            c.kill().ok();
            c.wait().ok();
        }
    }
}

/// A loopback address held by a bound socket that does not listen: connecting to it is
/// refused for as long as the socket lives, and no other process can take the port.
pub fn refusing_address() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.1:0".parse().unwrap())
        .expect("bind a loopback port");
    let address = socket.local_addr().expect("its address");
    (socket, address)
}

/// `cis-scan token create --admin --config FILE`: the token it prints.
pub fn admin_token(config: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args([
            "token",
            "create",
            "--admin",
            "--config",
            config.to_str().unwrap(),
        ])
        .env_remove("CIS_SCAN_DATABASE_URL")
        .output()
        .expect("run cis-scan token create");
    assert!(
        out.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `cis-scan check --snapshot config/demo --format FORMAT`: its stdout, once it exited
/// 1 (the demo has failures), else a failure showing its stderr.
pub fn check_demo(format: &str) -> Vec<u8> {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/config/demo");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(["check", "--snapshot", demo, "--format", format])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}
