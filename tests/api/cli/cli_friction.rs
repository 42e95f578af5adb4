//! What a newcomer trips over on the command line: pipes, overrides, a taken port, log colours.

use std::io::Read;
use std::process::{Command, Stdio};

const FACTS: [&str; 2] = ["config/demo/cp-1.json", "config/demo/worker-1.json"];

fn cis_scan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cis-scan"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn check_into_a_reader_that_stops_early_exits_quietly() {
    // the JSON report is larger than a pipe holds, so the writer meets the closed pipe
    let mut child = cis_scan()
        .args(["check", "--format", "json", "--facts", FACTS[0], FACTS[1]])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.to_lowercase().contains("broken pipe"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn benchmark_overrides_kubernetes_version_when_both_are_given() {
    let out = cis_scan()
        .args(["check", "--format", "json", "--kubernetes-version", "1.32"])
        .args(["--benchmark", "cis-1.8", "--facts", FACTS[0], FACTS[1]])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["benchmark"], "cis-1.8", "{v}");
}

#[test]
fn serve_on_a_taken_port_says_so_without_calling_it_configuration() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::TempDir::new().unwrap();
    let out = cis_scan()
        .args(["serve", "--listen", &addr])
        .env(
            "CIS_SCAN_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display()),
        )
        .env("CIS_SCAN_SCHEDULER", "false")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(!err.contains("configuration:"), "{err}");
}

#[test]
fn redirected_service_logs_carry_no_colour_codes() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut child = cis_scan()
        // port 0: the service binds a free port itself and logs which
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env(
            "CIS_SCAN_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display()),
        )
        .env("CIS_SCAN_SCHEDULER", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the start-up line is logged once the port is bound
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("listening on") {
        let n = stderr.read(&mut buf).unwrap();
        assert!(n > 0, "serve stopped: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    child.kill().ok();
    child.wait().ok();
    assert!(
        !seen.contains(&0x1b),
        "ANSI escape in {}",
        String::from_utf8_lossy(&seen)
    );
}

#[actix_web::test]
async fn a_scan_leaves_its_start_and_end_in_the_log_at_info() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = dir.path().join("config.toml");
    let ready = dir.path().join("address");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"sqlite://{}?mode=rwc\"\n[schedules]\nrun = false\n",
            dir.path().join("x.db").display()
        ),
    )
    .unwrap();
    let token = cis_scan()
        .args([
            "token",
            "create",
            "--admin",
            "--config",
            config.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let mut child = crate::support::process::KilledOnDrop::new(
        cis_scan()
            .args(["serve", "--config", config.to_str().unwrap()])
            .args(["--listen", "127.0.0.1:0", "--ready-file"])
            .arg(&ready)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.child().stderr.take().unwrap();
    // the log is read on its own thread; the lines arrive through a channel
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let address = crate::support::wait::wait_for_blocking(
        "serve to write the address it bound",
        crate::support::wait::EVENT,
        || std::fs::read_to_string(&ready).ok(),
    );
    let url = format!("http://{}/graphql", address.trim());
    reqwest::Client::new()
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({ "query": "mutation { runScan(clusterId: \"demo\") { id } }" }))
        .send()
        .await
        .expect("the service answers once it wrote its address");
    let mut started = None;
    let ended = crate::support::wait::wait_for_blocking(
        "a 'scan ended' line at INFO",
        crate::support::wait::EVENT,
        || {
            for line in rx.try_iter() {
                if line.contains("INFO") && line.contains("scan started") {
                    started = Some(line);
                } else if line.contains("INFO") && line.contains("scan ended") {
                    return Some(line);
                }
            }
            None
        },
    );
    drop(child);
    assert!(started.is_some(), "no 'scan started' line");
    for part in [
        "cluster=demo",
        "state=\"SUCCEEDED\"",
        "seconds=",
        "nodes=2",
        "checks=",
    ] {
        assert!(ended.contains(part), "{part} missing in: {ended}");
    }
}
