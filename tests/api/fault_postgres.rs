//! Fault: PostgreSQL really stopped. The test runs a throwaway PostgreSQL of
//! its own (initdb + pg_ctl on a free port in a temp dir), starts the service
//! on it, stops the database with `pg_ctl stop -m immediate` and proves the
//! service answers INTERNAL and `/readyz` 503 within a second without
//! crashing, then starts the database again and proves the service recovers
//! without a restart.

use crate::support::app::{code, settings, spawn_with, TestApp};
use crate::support::process::free_port;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A PostgreSQL server in a temp dir, stopped when dropped.
struct ThrowawayPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    dir: tempfile::TempDir,
}

/// The newest `/usr/lib/postgresql/N/bin` with initdb and pg_ctl.
fn server_binaries() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL server binaries missing (no /usr/lib/postgresql/*/bin/initdb): run .ci/setup")
    })
}

impl ThrowawayPostgres {
    fn start() -> Self {
        let bin = server_binaries();
        let dir = tempfile::TempDir::new().unwrap();
        // initdb refuses to run as root: as root, run the server as `postgres` in a directory it owns
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:", dir.path().to_str().unwrap()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown of the temp dir to the postgres user failed");
        }
        let pg = ThrowawayPostgres {
            bin,
            data: dir.path().join("data"),
            port: free_port(),
            as_postgres,
            dir,
        };
        pg.run(
            "initdb",
            &[
                "-D",
                pg.data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        pg.pg_ctl_start();
        pg
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    fn stop_immediately(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let pid = self.data.join("postmaster.pid");
        if Path::new(&pid).exists() {
            let _ = std::panic::catch_unwind(|| self.stop_immediately());
        }
    }
}

const QUERY: &str = "{ clusters { id } }";

async fn readyz(app: &TestApp) -> u16 {
    app.client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[actix_web::test]
async fn postgres_stopped_answers_internal_and_503_fast_and_recovers_without_restart() {
    let pg = ThrowawayPostgres::start();
    let app = spawn_with(
        settings(&pg.url()),
        vec![],
        tempfile::TempDir::new().unwrap(),
    )
    .await;
    assert_eq!(app.ok(QUERY, json!({})).await["clusters"][0]["id"], "demo");
    assert_eq!(readyz(&app).await, 200);

    pg.stop_immediately();
    let started = Instant::now();
    let r = app.gql(QUERY, json!({})).await;
    let took = started.elapsed();
    assert_eq!(code(&r), "INTERNAL", "{r}");
    assert!(
        took < Duration::from_secs(1),
        "the API took {took:?} to answer without its database"
    );
    let started = Instant::now();
    assert_eq!(readyz(&app).await, 503);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "/readyz took {took:?} without its database"
    );
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status().as_u16(),
        200,
        "the process must keep serving"
    );
    assert!(
        !r.to_string().contains("127.0.0.1"),
        "database details leak: {r}"
    );

    pg.pg_ctl_start();
    let deadline = Instant::now() + Duration::from_secs(30);
    while readyz(&app).await != 200 {
        assert!(
            Instant::now() < deadline,
            "/readyz did not recover within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.ok(QUERY, json!({})).await["clusters"][0]["id"], "demo");
}
