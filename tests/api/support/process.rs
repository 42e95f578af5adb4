//! The real `cis-scan` binary as a child process, for fault tests that kill it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `cis-scan serve --config FILE`, killed (SIGKILL) when dropped so a failing
/// test leaves no process behind.
pub struct Serve {
    pub child: Child,
    pub address: String,
}

impl Serve {
    /// Starts the service and waits (bounded) until `/healthz` answers.
    pub async fn start(config: &std::path::Path, port: u16) -> Serve {
        let child = Command::new(env!("CARGO_BIN_EXE_cis-scan"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .env_remove("CIS_SCAN_LISTEN")
            .env_remove("CIS_SCAN_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start cis-scan serve");
        let mut serve = Serve {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = client
                .get(format!("{}/healthz", serve.address))
                .send()
                .await
            {
                if r.status().is_success() {
                    return serve;
                }
            }
            if let Some(status) = serve.child.try_wait().unwrap() {
                panic!("cis-scan serve exited at start-up: {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        serve.kill9();
        panic!("cis-scan serve did not answer /healthz within 60 s");
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
