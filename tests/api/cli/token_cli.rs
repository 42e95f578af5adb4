//! `cis-scan token create | list | revoke` as an operator runs them.

use crate::support::app::TestApp;
use serde_json::{json, Value};
use std::process::{Command, Output};

/// Runs the binary on one database.
fn run_on(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cis-scan"))
        .args(args)
        .env("CIS_SCAN_DATABASE_URL", url)
        .output()
        .expect("run cis-scan")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Creates a token; returns it.
fn create(url: &str, args: &[&str]) -> String {
    let o = run_on(url, &[&["token", "create"], args].concat());
    assert!(o.status.success(), "{}", err(&o));
    out(&o).trim().to_string()
}

fn list_json(url: &str) -> Vec<Value> {
    let o = run_on(url, &["token", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", err(&o));
    serde_json::from_str(&out(&o)).expect("JSON list")
}

fn sqlite(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display())
}

#[test]
fn token_list_shows_name_role_expiry_and_never_the_secret() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = sqlite(&dir);
    let admin = create(&url, &["--admin", "--name", "ci", "--expires-in", "30d"]);
    let owner = create(&url, &["--owner", "demo"]);
    let table = run_on(&url, &["token", "list"]);
    assert!(table.status.success(), "{}", err(&table));
    let text = out(&table);
    for column in [
        "ID",
        "NAME",
        "ROLE",
        "CLUSTER",
        "CREATED",
        "EXPIRES",
        "LAST USED",
        "STATE",
    ] {
        assert!(text.lines().next().unwrap().contains(column), "{text}");
    }
    let ci = text
        .lines()
        .find(|l| l.contains(" ci "))
        .expect("the ci row");
    assert!(ci.contains("admin") && ci.ends_with("active"), "{ci}");
    let demo = text
        .lines()
        .find(|l| l.contains(" demo "))
        .expect("the owner row");
    assert!(demo.contains("owner") && demo.contains("never"), "{demo}");
    let json_text = out(&run_on(&url, &["token", "list", "--format", "json"]));
    for secret in [&admin, &owner] {
        let hash = cis_scan::service::auth::hash(secret);
        for shown in [&text, &json_text] {
            assert!(!shown.contains(secret.as_str()) && !shown.contains(&hash));
        }
    }
    let rows = list_json(&url);
    assert_eq!(rows.len(), 2);
    let ci = rows.iter().find(|r| r["name"] == "ci").unwrap();
    assert_eq!(
        (&ci["role"], &ci["cluster"], &ci["state"]),
        (&json!("admin"), &Value::Null, &json!("active"))
    );
    let expires: chrono::DateTime<chrono::Utc> = ci["expiresAt"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "expires in {days} days");
    let demo = rows.iter().find(|r| r["cluster"] == "demo").unwrap();
    assert_eq!(
        (&demo["role"], &demo["expiresAt"]),
        (&json!("owner"), &Value::Null)
    );
}

#[test]
fn token_revoke_marks_it_revoked_says_so_twice_and_refuses_unknown_ids() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = sqlite(&dir);
    create(&url, &["--admin"]);
    let id = list_json(&url)[0]["id"].as_str().unwrap().to_string();
    let first = run_on(&url, &["token", "revoke", &id]);
    assert!(first.status.success(), "{}", err(&first));
    assert!(err(&first).contains("revoked"), "{}", err(&first));
    assert_eq!(list_json(&url)[0]["state"], "revoked");
    let again = run_on(&url, &["token", "revoke", &id]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        err(&again).contains("already revoked at"),
        "{}",
        err(&again)
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    let o = run_on(&url, &["token", "revoke", &unknown]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains(&format!("no token with id {unknown}")),
        "{}",
        err(&o)
    );
    let o = run_on(&url, &["token", "revoke", "nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("'nonsense' is not a token id"),
        "{}",
        err(&o)
    );
}

#[test]
fn token_create_asks_for_a_role_and_refuses_bad_lifetimes() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = sqlite(&dir);
    let o = run_on(&url, &["token", "create", "--name", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("pass --admin") && err(&o).contains("--owner CLUSTER"),
        "{}",
        err(&o)
    );
    for bad in ["3x", "30", "0d", "1.5h"] {
        let o = run_on(&url, &["token", "create", "--admin", "--expires-in", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(err(&o).contains(&format!("'{bad}'")), "{bad}: {}", err(&o));
        assert!(out(&o).is_empty(), "no token printed for {bad}");
    }
    assert!(list_json(&url).is_empty(), "nothing was created");
}

#[actix_web::test]
async fn revoking_on_the_command_line_stops_a_running_service_within_seconds() {
    let app = TestApp::builder().spawn().await;
    let url = app.database_url.clone();
    let token = create(&url, &["--admin", "--name", "doomed"]);
    let q = "{ clusters { id } }";
    let ok = app.gql_as(Some(&token), q, json!({})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
    let id = list_json(&url)
        .into_iter()
        .find(|r| r["name"] == "doomed")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(run_on(&url, &["token", "revoke", &id]).status.success());
    // the service trusts the row it read for 4 s: move its clock past that
    let ttl = cis_scan::service::token_cache::TOKEN_CACHE_TTL;
    app.state
        .scanner
        .clock
        .advance(chrono::Duration::from_std(ttl).unwrap());
    let r = app.gql_as(Some(&token), q, json!({})).await;
    assert_eq!(r["errors"][0]["message"], "the token was revoked", "{r}");
}
