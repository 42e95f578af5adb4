//! Everything a mutation stores is bounded: the skip audit trail per cluster,
//! node lists, cluster names; no string with U+0000 reaches either database;
//! errors quote only a short prefix of what was sent. Run on SQLite and, with
//! TEST_DATABASE_URL, on PostgreSQL.

use crate::support::app::{spawn_app, TestApp};
use crate::support::requests::code;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};

const SKIP: &str = "mutation($c: ID!, $t: String!, $r: String, $n: [String!]) {
    skipTest(clusterId: $c, testId: $t, reason: $r, nodes: $n) { testId } }";
const AUDIT: &str = "query($c: ID!) { skipAudit(clusterId: $c, first: 100) {
    edges { node { reason } } pageInfo { hasNextPage } } }";

/// One value of a one-row, one-column query on the app's database.
async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let db = Database::connect(&app.database_url).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get_by_index::<i64>(0).unwrap();
    db.close().await.ok();
    n
}

/// The reasons of a cluster's audit entries, newest first.
async fn audit_reasons(app: &TestApp, cluster: &str) -> Vec<String> {
    let d = app.ok(AUDIT, json!({ "c": cluster })).await;
    assert_eq!(d["skipAudit"]["pageInfo"]["hasNextPage"], false);
    d["skipAudit"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["reason"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn the_skip_audit_trail_keeps_only_each_clusters_newest_entries() {
    let app = TestApp::builder()
        .skip_audit_entries_per_cluster(10)
        .cluster(crate::support::app::other_cluster())
        .spawn()
        .await;
    for i in 0..3 {
        app.ok(
            SKIP,
            json!({ "c": "other", "t": "1.2.15", "r": format!("other {i}") }),
        )
        .await;
    }
    // the largest skip accepted, 30 times: 1,000 node names of 64 characters
    let nodes: Vec<String> = (0..1000).map(|i| format!("{i:0>64}")).collect();
    for i in 0..30 {
        let r = format!("{i:02} {}", "r".repeat(990));
        app.ok(
            SKIP,
            json!({ "c": "demo", "t": "1.2.15", "r": r, "n": nodes }),
        )
        .await;
    }
    let kept = audit_reasons(&app, "demo").await;
    let want: Vec<String> = (20..30).rev().map(|i| format!("{i:02}")).collect();
    let got: Vec<String> = kept.iter().map(|r| r[..2].to_string()).collect();
    assert_eq!(got, want, "the newest 10 entries, newest first");
    let rows = scalar(
        &app,
        "SELECT COUNT(*) FROM skip_audit WHERE cluster_id = 'demo'",
    )
    .await;
    assert_eq!(rows, 10, "older rows are deleted, not hidden");
    // another cluster's trail is its own
    assert_eq!(
        audit_reasons(&app, "other").await,
        ["other 2", "other 1", "other 0"]
    );
    // an unskip trims too
    app.ok(
        "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.15\") }",
        json!({}),
    )
    .await;
    let rows = scalar(
        &app,
        "SELECT COUNT(*) FROM skip_audit WHERE cluster_id = 'demo'",
    )
    .await;
    assert_eq!(rows, 10);
    let bytes = scalar(
        &app,
        "SELECT CAST(COALESCE(SUM(LENGTH(nodes)), 0) AS BIGINT) FROM skip_audit",
    )
    .await;
    assert!(
        bytes < 10 * 70_000 + 3 * 100,
        "{bytes} bytes of node lists stored"
    );
}

#[actix_web::test]
async fn a_skip_whose_node_names_add_up_past_64_kib_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    // the finding's payload: each name allowed (240 ≤ 253), 240 KB together
    let nodes: Vec<String> = (0..1000).map(|i| format!("{i:0>240}")).collect();
    let r = app
        .gql(SKIP, json!({ "c": "demo", "t": "1.2.15", "n": nodes }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("65536 bytes"), "{msg}");
    assert!(audit_reasons(&app, "demo").await.is_empty());
}

/// Each way a NUL reaches a stored string, as a (query, variables) pair.
fn nul_requests() -> Vec<(&'static str, Value)> {
    vec![
        (SKIP, json!({ "c": "demo", "t": "1.2.15", "r": "a\u{0}b" })),
        (
            SKIP,
            json!({ "c": "demo", "t": "1.2.15", "n": ["cp-1", "x\u{0}"] }),
        ),
        (
            r#"mutation { skipTest(clusterId: "demo", testId: "1.2.15", reason: "a\u0000b") { testId } }"#,
            json!({}),
        ),
        (
            "mutation($n: String!) { registerCluster(name: $n, kubeconfig: \"x\") { id } }",
            json!({ "n": "edge\u{0}1" }),
        ),
        (
            "mutation($c: String!) { createSchedule(clusterId: \"demo\", cron: $c) { id } }",
            json!({ "c": "0 3 * * *\u{0}" }),
        ),
        // lookups too: PostgreSQL refuses a NUL even as a query parameter
        (
            "query($c: ID!) { cluster(id: $c) { id } }",
            json!({ "c": "demo\u{0}" }),
        ),
        (AUDIT, json!({ "c": "\u{0}" })),
    ]
}

#[actix_web::test]
async fn strings_holding_nul_are_bad_user_input_and_nothing_is_stored() {
    let app = spawn_app().await;
    for (q, vars) in nul_requests() {
        let r = app.gql(q, vars.clone()).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{vars}: {r}");
        let msg = r["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains("U+0000"), "{msg}");
    }
    let d = app
        .ok(
            "{ skippedTests(clusterId: \"demo\") { testId } clusters { id } schedules { id } }",
            json!({}),
        )
        .await;
    assert_eq!(d["skippedTests"], json!([]));
    assert_eq!(d["schedules"], json!([]));
    assert_eq!(d["clusters"].as_array().unwrap().len(), 2);
    assert!(audit_reasons(&app, "demo").await.is_empty());
}

#[actix_web::test]
async fn a_registered_clusters_name_is_bounded_and_printable() {
    let app = spawn_app().await;
    let register = "mutation($n: String!) { registerCluster(name: $n, kubeconfig: \"x\") { id } }";
    for name in ["n".repeat(101), "line\nbreak".to_string()] {
        let r = app.gql(register, json!({ "n": name })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
        let msg = r["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains("at most 100 printable characters"), "{msg}");
    }
    // 100 characters pass the name check and reach the kubeconfig policy
    let r = app.gql(register, json!({ "n": "n".repeat(100) })).await;
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("kubeconfig"), "{msg}");
}

#[actix_web::test]
async fn errors_quote_at_most_a_short_prefix_of_what_was_sent() {
    let app = spawn_app().await;
    let huge = "Q".repeat(200_000);
    let cases: Vec<(&str, Value)> = vec![
        ("query($c: ID!) { cluster(id: $c) { id } }", json!({ "c": huge })),
        ("query($c: ID!) { report(id: $c) { id } }", json!({ "c": huge })),
        ("query($c: ID!) { skipAudit(clusterId: $c) { edges { cursor } } }", json!({ "c": huge })),
        (SKIP, json!({ "c": "demo", "t": huge })),
        ("mutation($b: String) { runScan(clusterId: \"demo\", benchmark: $b) { id } }", json!({ "b": huge })),
        ("mutation($z: String) { createSchedule(clusterId: \"demo\", cron: \"0 3 * * *\", timezone: $z) { id } }", json!({ "z": huge })),
        ("mutation($c: String!) { createSchedule(clusterId: \"demo\", cron: $c) { id } }", json!({ "c": huge })),
        ("mutation($b: String) { setClusterBenchmark(clusterId: \"demo\", benchmark: $b) { id } }", json!({ "b": huge })),
        // async-graphql's own messages quote enum values and field names
        ("query($s: [CheckState!]) { cluster(id: \"demo\") { latestReport { results(states: $s) { id } } } }", json!({ "s": [huge] })),
    ];
    let unknown_field = format!("{{ {} }}", "Q".repeat(200_000));
    let mut answers = Vec::new();
    for (q, vars) in &cases {
        answers.push(app.gql(q, vars.clone()).await);
    }
    answers.push(app.gql(&unknown_field, json!({})).await);
    for r in answers {
        let msg = r["errors"][0]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"));
        let quoted = msg.matches('Q').count();
        assert!(
            quoted <= 64,
            "{quoted} characters of the input quoted: {}",
            &msg[..200]
        );
        assert!(msg.len() <= 1_100, "{} bytes", msg.len());
        assert_ne!(code(&r), "INTERNAL", "{msg}");
    }
}
