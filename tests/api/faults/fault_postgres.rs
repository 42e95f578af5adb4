//! Fault: PostgreSQL really stopped. The test runs a throwaway PostgreSQL of
//! its own (initdb + pg_ctl on a free port in a temp dir), starts the service
//! on it, stops the database with `pg_ctl stop -m immediate` and proves the
//! service answers INTERNAL and `/readyz` 503 within a second without
//! crashing, then starts the database again and proves the service recovers
//! without a restart.
//!
//! PostgreSQL cannot be told to take any free port and say which, so the test
//! picks one and, should another process take it first ("Address already in
//! use"), tries another (or, for the restart on the same port, again), a bounded
//! number of times, saying so.

use crate::support::app::TestApp;
use crate::support::database::TestDatabase;
use crate::support::requests::code;
use crate::support::wait::{wait_for, wait_for_blocking, EVENT};
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

/// How many times the server is started before a taken port fails the test.
const START_ATTEMPTS: usize = 10;

/// A loopback port nothing listened on a moment ago (PostgreSQL then binds it itself).
fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
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
        let mut pg = ThrowawayPostgres {
            bin,
            data: dir.path().join("data"),
            port: unused_port(),
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
        for attempt in 1..=START_ATTEMPTS {
            match pg.try_pg_ctl_start() {
                Ok(()) => return pg,
                Err(e) if e.contains("already in use") && attempt < START_ATTEMPTS => {
                    eprintln!(
                        "port {} was taken before PostgreSQL bound it; trying another",
                        pg.port
                    );
                    pg.port = unused_port();
                }
                Err(e) => panic!("PostgreSQL did not start: {e}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// `tool args` (as `postgres` when run as root): its output, or what went wrong.
    fn try_run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
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
            .map_err(|e| format!("{tool}: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }

    fn run(&self, tool: &str, args: &[&str]) {
        if let Err(e) = self.try_run(tool, args) {
            panic!("{e}");
        }
    }

    /// Starts the server on its port again (after a stop), retrying while another
    /// process holds the port: the service's URL names it, so it cannot change.
    fn pg_ctl_start(&self) {
        let what = format!("PostgreSQL to start again on port {}", self.port);
        wait_for_blocking(&what, EVENT, || match self.try_pg_ctl_start() {
            Ok(()) => Some(()),
            Err(e) if e.contains("already in use") => {
                eprintln!(
                    "port {} is taken by another process; trying again",
                    self.port
                );
                None
            }
            Err(e) => panic!("PostgreSQL did not start: {e}"),
        });
    }

    /// `pg_ctl start` on the port; on failure the error holds the server's log.
    fn try_pg_ctl_start(&self) -> Result<(), String> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.try_run(
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
        )
        .map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{e}\nserver log:\n{log}")
        })
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

/// How long an answer without the database may take at most (the service waits 0.5 s).
const ANSWER_BOUND: Duration = Duration::from_secs(10);

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
    let app = TestApp::builder()
        .database(&TestDatabase::at(&pg.url()))
        // the production default the test proves: a request waits this long for a connection
        .database_acquire_timeout(std::time::Duration::from_millis(500))
        .spawn()
        .await;
    assert_eq!(app.ok(QUERY, json!({})).await["clusters"][0]["id"], "demo");
    assert_eq!(readyz(&app).await, 200);

    pg.stop_immediately();
    let started = Instant::now();
    let r = app.gql(QUERY, json!({})).await;
    let took = started.elapsed();
    assert_eq!(code(&r), "INTERNAL", "{r}");
    // 0.5 s in the service; the bound leaves room for a loaded machine while still
    // catching a pool that waits sqlx's default 30 s
    assert!(
        took < ANSWER_BOUND,
        "the API took {took:?} to answer without its database"
    );
    let started = Instant::now();
    assert_eq!(readyz(&app).await, 503);
    let took = started.elapsed();
    assert!(
        took < ANSWER_BOUND,
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
    wait_for("/readyz to answer 200 again", EVENT, || async {
        (readyz(&app).await == 200).then_some(())
    })
    .await;
    assert_eq!(app.ok(QUERY, json!({})).await["clusters"][0]["id"], "demo");
}
