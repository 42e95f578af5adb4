//! The `cis-scan` binary as a user runs it: exit codes, output formats, collect then check.

use crate::support::hostroot::HostRoot;
use crate::support::kubeadm;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(args)
        .output()
        .expect("run cis-scan")
}

/// Runs a command that must exit by itself; a server that starts instead is killed and fails the test.
fn output_within(mut cmd: Command, secs: u64) -> Output {
    use std::process::Stdio;
    let mut child = crate::support::process::KilledOnDrop::new(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    crate::support::wait::wait_for_blocking(
        &format!("the command to exit by itself within {secs} s"),
        std::time::Duration::from_secs(secs),
        || child.child().try_wait().unwrap().map(|_| ()),
    );
    child.into_inner().wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_json_on_a_host_root() {
    let h = HostRoot::new();
    kubeadm::control_plane(&h);
    let root = h.root();
    let proc = h.proc();
    let o = run(&[
        "check",
        "--host-root",
        root.to_str().unwrap(),
        "--proc",
        proc.to_str().unwrap(),
        "--node-name",
        "cp-1",
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a failing check exits 1: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["benchmark"], "cis-1.8",
        "version taken from the apiserver image tag"
    );
    for k in [
        "total",
        "pass",
        "fail",
        "warn",
        "skip",
        "notApplicable",
        "error",
    ] {
        assert!(v["summary"][k].is_u64(), "summary.{k}");
    }
    let r = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "1.2.16")
        .unwrap();
    assert_eq!(r["state"], "FAIL");
    assert_eq!(r["scored"], true);
    assert!(r["remediation"]
        .as_str()
        .unwrap()
        .contains("--profiling=false"));
    let n = &r["nodes"][0];
    for k in ["node", "state", "actual", "expected", "source"] {
        assert!(n[k].is_string(), "nodes[].{k}");
    }
}

#[test]
fn collect_then_check_facts_elsewhere() {
    let cp = HostRoot::new();
    kubeadm::control_plane(&cp);
    let w = HostRoot::new();
    kubeadm::worker(&w);
    let out = tempfile::TempDir::new().unwrap();
    let mut files = Vec::new();
    for (h, name) in [(&cp, "cp-1"), (&w, "w-1")] {
        let f = out.path().join(format!("{name}.json"));
        let o = run(&[
            "collect",
            "--host-root",
            h.root().to_str().unwrap(),
            "--proc",
            h.proc().to_str().unwrap(),
            "--node-name",
            name,
            "-o",
            f.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let facts: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        assert_eq!(facts["schemaVersion"], 1);
        files.push(f.to_str().unwrap().to_string());
    }
    let mut args = vec![
        "check",
        "--format",
        "csv",
        "--kubernetes-version",
        "1.29",
        "--facts",
    ];
    args.extend(files.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        cis_scan::engine::render::csv::HEADER.to_vec()
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let checks: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        checks.len(),
        133,
        "cis-1.11 chosen from --kubernetes-version"
    );
    let kubelet_anon: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[0] == "4.2.1").collect();
    let nodes: Vec<(&str, &str)> = kubelet_anon.iter().map(|r| (&r[4], &r[5])).collect();
    assert_eq!(
        nodes,
        [("cp-1", "PASS"), ("w-1", "PASS")],
        "one row per node"
    );
}

#[test]
fn skip_and_exit_codes() {
    let h = HostRoot::new();
    kubeadm::worker(&h);
    h.chmod("/var/lib/kubelet/config.yaml", 0o600)
        .chmod("/lib/systemd/system/kubelet.service", 0o600)
        .chmod(
            "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
            0o600,
        );
    let (root, proc) = (h.root(), h.proc());
    let base = [
        "check",
        "--host-root",
        root.to_str().unwrap(),
        "--proc",
        proc.to_str().unwrap(),
        "--benchmark",
        "cis-1.12",
    ];
    let o = run(&base);
    let table = stdout(&o);
    let first_line = table.lines().nth(1).unwrap_or_default();
    if o.status.code() == Some(1) {
        assert!(
            first_line.starts_with("FAIL") || first_line.starts_with("ERROR"),
            "failures first: {table}"
        );
        // skip every failing check: nothing fails any more
        let failing: Vec<String> = table
            .lines()
            .filter(|l| l.starts_with("FAIL") || l.starts_with("ERROR"))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .collect();
        let skip = failing.join(",");
        let mut args = base.to_vec();
        args.extend(["--skip", &skip]);
        let o2 = run(&args);
        assert_eq!(o2.status.code(), Some(0), "{}", stdout(&o2));
        assert!(stdout(&o2).contains("skipped on the command line"));
    } else {
        assert_eq!(o.status.code(), Some(0), "{table}");
    }
    let mut bad = base.to_vec();
    bad.extend(["--skip", "9.9.9"]);
    let o3 = run(&bad);
    assert_eq!(o3.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o3.stderr).contains("9.9.9"));
}

#[test]
fn errors_exit_two_with_a_message() {
    let o = run(&[
        "check",
        "--kubernetes-version",
        "1.20",
        "--facts",
        "/nonexistent.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "check",
        "--kubernetes-version",
        "1.20",
        "--host-root",
        "/nonexistent",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1.26 and newer"));
    let o = run(&["benchmarks"]);
    assert!(o.status.success());
    let line = stdout(&o)
        .lines()
        .find(|l| l.starts_with("cis-1.12 "))
        .map(str::to_string)
        .unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>()[..4],
        ["cis-1.12", "generic", "1.32-1.33", "131"]
    );
}

#[test]
fn token_create_prints_only_the_token_and_migrate_works() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let run_env = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cis-scan"))
            .args(args)
            .env("CIS_SCAN_DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    let m = run_env(&["migrate"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let o = run_env(&["token", "create", "--admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "only the token on stdout: {out}");
    assert!(lines[0].starts_with("cis_") && lines[0].len() == 68);
    assert!(String::from_utf8_lossy(&o.stderr).contains("shown only once"));
    let owner = run_env(&["token", "create", "--owner", "demo"]);
    assert!(owner.status.success());
    let missing = run_env(&["token", "create", "--owner", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no cluster 'nope'"));
    let neither = run_env(&["token", "create"]);
    assert_eq!(neither.status.code(), Some(2));
}

#[test]
fn invalid_settings_stop_start_up_naming_the_setting() {
    let dir = tempfile::TempDir::new().unwrap();
    let cases = [
        ("[server]\nlisten = \"nowhere\"\n", "server.listen"),
        ("[database]\nurl = \"mysql://x\"\n", "database.url"),
        ("colour = \"blue\"\n", "colour"),
        ("[server]\nmax_body_bytes = \"lots\"\n", "max_body_bytes"),
        ("[scans]\nlease = 30\n", "scans.lease"),
        // a file written for the flat layout of earlier releases
        (
            "listen = \"0.0.0.0:8080\"\n",
            "`listen` is now `listen` under [server] (CIS_SCAN_SERVER__LISTEN)",
        ),
        (
            "[[clusters]]\nid = \"Bad Id\"\nsnapshot = \"builtin:demo\"\n",
            "clusters.id",
        ),
        (
            "[[clusters]]\nid = \"x\"\nsnapshot = \"/nonexistent\"\n",
            "/nonexistent",
        ),
    ];
    for (toml, needle) in cases {
        let f = dir.path().join("c.toml");
        std::fs::write(&f, toml).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cis-scan"));
        cmd.args(["serve", "--config", f.to_str().unwrap()])
            .env_remove("CIS_SCAN_LISTEN");
        if !toml.starts_with("[database]") {
            cmd.env(
                "CIS_SCAN_DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display()),
            );
        }
        let o = output_within(cmd, 20);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{toml}: {err}");
        assert!(err.contains(needle), "{toml}: {err}");
    }
    // CIS_SCAN_ALERT_WEBHOOKS is a comma-separated list, each checked
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cis-scan"));
    cmd.args(["serve"]).env(
        "CIS_SCAN_ALERT_WEBHOOKS",
        "https://hooks.example/a,not-a-url-SECRET",
    );
    let o = output_within(cmd, 20);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("alerts.webhooks: entry 2"), "{err}");
    assert!(
        !err.contains("SECRET"),
        "a webhook URL is never echoed: {err}"
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cis-scan"));
    cmd.args(["serve"]).env("CIS_SCAN_LISTEN", "bad");
    let o = output_within(cmd, 20);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("listen 'bad'"));
}
