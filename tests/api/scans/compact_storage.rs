//! Compact storage of node results: reports stored as the service stored them
//! before it (each check's nodes a JSON array of whole results) read the same
//! through the API, and the migration converts them in place so that every
//! report still reads the same.

use crate::support::app::{other_cluster, TestApp};
use crate::support::ui_sources::big_cluster;
use cis_scan::service::store::entity::check_result;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// Workers of the "big" cluster: enough for runs of nodes sharing results.
const WORKERS: usize = 30;

const MIGRATION: &str = "m20261206_000140_compact_node_results";

/// Every header field and every check, with pages and filters of their nodes
/// (all of the nodes come with the JSON download).
const REPORT: &str = "query($id: ID!) { report(id: $id) {
    id state clusterId scanId benchmarkVersion benchmarkTitle benchmarkReason scoredOnly
    kubernetesVersion createdAt startedAt finishedAt provider mode nodes
    excludedNodes { node reason } previous { id }
    summary { total pass fail warn skip notApplicable error }
    sections { id title checks }
    results { id description state scored automated section nodeType remediation reason
      nodeCount failing: nodeCount(states: [FAIL])
      page: nodes(offset: 2, limit: 3) { node state actual expected source reason audit }
      skipped: nodes(states: [SKIP], limit: 5) { node state reason }
      one: nodes(node: \"worker-0007\") { node state actual } }
    byNode: results(node: \"worker-0007\", states: [SKIP, FAIL], limit: 4) { id nodes { node state } } } }";

const COMPARE: &str = "query($base: ID!, $head: ID!) { compareReports(base: $base, head: $head) {
    newFailures { id before after } fixed { id before after } stillFailing { id before after }
    changed { id before after nodes { node before after } } } }";

/// The service with the demo, "other" and "big" clusters, and its reports: two of
/// the big cluster (the second with a node-scoped skip), one of the demo.
async fn reports() -> (TestApp, Vec<String>) {
    let app = TestApp::builder()
        .scan_lease(std::time::Duration::from_secs(60))
        .clusters(clusters())
        .spawn()
        .await;
    let mut ids = Vec::new();
    for cluster in ["big", "demo", "big"] {
        if ids.len() == 2 {
            app.ok(
                "mutation { skipTest(clusterId: \"big\", testId: \"4.2.1\", reason: \"accepted\",
                   nodes: [\"worker-0007\", \"worker-0012\"]) { testId } }",
                json!({}),
            )
            .await;
        }
        let scan = app.scan_to_end(cluster).await;
        assert_eq!(scan["state"], "SUCCEEDED", "{scan}");
        ids.push(scan["report"]["id"].as_str().unwrap().to_string());
    }
    (app, ids)
}

fn clusters() -> Vec<cis_scan::service::clusters::ExtraCluster> {
    vec![other_cluster(), big_cluster(WORKERS)]
}

/// Everything the API says of these reports, downloads included.
async fn everything(app: &TestApp, ids: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        out.push(app.ok(REPORT, json!({ "id": id })).await);
        for format in ["json", "csv", "kube-bench", "junit"] {
            let r = app
                .client
                .get(format!("{}/reports/{id}/{format}", app.address))
                .bearer_auth(&app.admin)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{format}");
            out.push(Value::String(r.text().await.unwrap()));
        }
    }
    let pair = json!({ "base": ids[0], "head": ids[2] });
    out.push(app.ok(COMPARE, pair).await);
    out
}

/// Every check row's `nodes` as stored, by row id.
async fn stored(app: &TestApp) -> Vec<(i64, String)> {
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let rows = check_result::Entity::find()
        .order_by_asc(check_result::Column::Id)
        .all(&db)
        .await
        .unwrap();
    rows.into_iter().map(|r| (r.id, r.nodes)).collect()
}

/// Rewrites every check row as the service wrote it before compact storage: its
/// node results as a JSON array; with `pending`, the migration not yet run.
async fn store_the_old_way(app: &TestApp, ids: &[String], pending: bool) {
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    for id in ids {
        let checks = app
            .state
            .store()
            .check_results(Uuid::parse_str(id).unwrap(), &[], None)
            .await
            .unwrap();
        for c in checks {
            check_result::Entity::update_many()
                .col_expr(
                    check_result::Column::Nodes,
                    Expr::value(serde_json::to_string(&c.nodes).unwrap()),
                )
                .filter(check_result::Column::Id.eq(c.row.id))
                .exec(&db)
                .await
                .unwrap();
        }
    }
    if pending {
        db.execute_unprepared(&format!(
            "DELETE FROM seaql_migrations WHERE version = '{MIGRATION}'"
        ))
        .await
        .unwrap();
    }
}

/// Another replica on the same database: nothing of these reports in its memory.
async fn replica(app: &TestApp) -> TestApp {
    TestApp::builder()
        .database(&app.database)
        .clusters(clusters())
        .spawn()
        .await
}

fn bytes(rows: &[(i64, String)]) -> usize {
    rows.iter().map(|(_, n)| n.len()).sum()
}

#[actix_web::test]
async fn reports_stored_before_compact_storage_read_the_same_before_they_are_converted() {
    let (app, ids) = reports().await;
    let compact = stored(&app).await;
    assert!(
        compact.iter().all(|(_, n)| n.starts_with('{')),
        "saved compact"
    );
    let seen = everything(&app, &ids).await;
    store_the_old_way(&app, &ids, false).await;
    let old = stored(&app).await;
    assert!(
        old.iter().all(|(_, n)| n.starts_with('[')),
        "stored the old way"
    );
    assert!(
        bytes(&old) > 5 * bytes(&compact),
        "{} vs {}",
        bytes(&old),
        bytes(&compact)
    );
    let fresh = replica(&app).await;
    assert_eq!(
        stored(&fresh).await,
        old,
        "the migration ran before: left alone"
    );
    assert_eq!(everything(&fresh, &ids).await, seen);
}

#[actix_web::test]
async fn a_database_from_before_compact_storage_is_converted_in_place_and_reads_the_same() {
    let (app, ids) = reports().await;
    let compact = stored(&app).await;
    let seen = everything(&app, &ids).await;
    store_the_old_way(&app, &ids, true).await;
    assert!(stored(&app).await.iter().all(|(_, n)| n.starts_with('[')));
    // starting on it runs the migration
    let upgraded = replica(&app).await;
    let converted = stored(&upgraded).await;
    assert!(
        converted.iter().all(|(_, n)| n.starts_with('{')),
        "converted"
    );
    // the same text as a save writes, up to the order of keys in objects
    let lengths = |rows: &[(i64, String)]| {
        rows.iter()
            .map(|(id, n)| (*id, n.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(lengths(&converted), lengths(&compact));
    assert_eq!(everything(&upgraded, &ids).await, seen);
}
