//! Who may do what, and bad input getting clear errors.

use crate::support::app::spawn_app;
use crate::support::requests::code;
use crate::support::ws::subscribe;
use serde_json::json;

#[actix_web::test]
async fn tokens_owners_and_unauthenticated() {
    let app = spawn_app().await;
    let store = app.state.store();
    let owner_other = cis_scan::service::auth::create_token(store, Some("other"))
        .await
        .unwrap();
    let scan = app.scan_to_end("demo").await;
    let report_id = scan["report"]["id"].as_str().unwrap().to_string();

    // no token / bad token: UNAUTHENTICATED everywhere but health
    for token in [None, Some("cis_bogus")] {
        let r = app.gql_as(token, "{ clusters { id } }", json!({})).await;
        assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
        let r = app
            .gql_as(
                token,
                "mutation { runScan(clusterId: \"demo\") { id } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "UNAUTHENTICATED");
    }
    let csv = app
        .client
        .get(format!("{}/reports/{report_id}/csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 401);
    assert_eq!(
        app.client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // an owner sees only its cluster; the other cluster's things are NOT_FOUND
    let own = app
        .gql_as(Some(&owner_other), "{ clusters { id } }", json!({}))
        .await;
    assert_eq!(own["data"]["clusters"], json!([{ "id": "other" }]));
    // another owner's cluster and report do not exist for this token
    for (q, vars) in [
        (
            "query($id: ID!) { report(id: $id) { id } }",
            json!({ "id": report_id }),
        ),
        (
            "mutation { runScan(clusterId: \"demo\") { id } }",
            json!({}),
        ),
        (
            "mutation { skipTest(clusterId: \"demo\", testId: \"1.2.15\") { testId } }",
            json!({}),
        ),
        (
            "mutation($id: ID!) { deleteReport(id: $id) }",
            json!({ "id": report_id }),
        ),
        (
            "{ reports(clusterId: \"demo\") { edges { node { id } } } }",
            json!({}),
        ),
    ] {
        let r = app.gql_as(Some(&owner_other), q, vars).await;
        assert_eq!(code(&r), "NOT_FOUND", "{q}: {r}");
    }
    let all = app
        .gql_as(
            Some(&owner_other),
            "{ reports { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        all["data"]["reports"]["edges"],
        json!([]),
        "no reports of other clusters leak"
    );
    let r = app
        .gql_as(
            Some(&owner_other),
            "query($id: ID!) { scan(id: $id) { id } }",
            json!({ "id": scan["id"] }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let csv = app
        .client
        .get(format!("{}/reports/{report_id}/csv", app.address))
        .bearer_auth(&owner_other)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 404);
    // ... and may act on its own
    let mine = app
        .gql_as(
            Some(&owner_other),
            "mutation { runScan(clusterId: \"other\") { id cluster { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["data"]["runScan"]["cluster"]["id"], "other", "{mine}");
    // the websocket needs the token in connection_init
    let sub = "subscription($id: ID!) { scanProgress(scanId: $id) { state } }";
    let (events, err) = subscribe(app.port, json!({}), sub, json!({ "id": scan["id"] })).await;
    assert!(events.is_empty());
    assert!(err.unwrap().to_string().contains("UNAUTHENTICATED"));
    let (_, err) = subscribe(
        app.port,
        json!({ "Authorization": format!("Bearer {owner_other}") }),
        sub,
        json!({ "id": scan["id"] }),
    )
    .await;
    assert!(err.unwrap().to_string().contains("NOT_FOUND"));
}

#[actix_web::test]
async fn bad_input_gets_coded_errors() {
    let app = spawn_app().await;
    let cases = [
        (
            "mutation { runScan(clusterId: \"nope\") { id } }",
            "NOT_FOUND",
        ),
        (
            "mutation { runScan(clusterId: \"demo\", benchmark: \"cis-9\") { id } }",
            "BAD_USER_INPUT",
        ),
        (
            "mutation { skipTest(clusterId: \"demo\", testId: \"9.9.9\") { testId } }",
            "BAD_USER_INPUT",
        ),
        (
            "mutation { unskipTest(clusterId: \"demo\", testId: \"1.2.99\") }",
            "BAD_USER_INPUT",
        ),
        ("{ report(id: \"not-a-uuid\") { id } }", "BAD_USER_INPUT"),
        (
            "{ report(id: \"00000000-0000-0000-0000-000000000000\") { id } }",
            "NOT_FOUND",
        ),
        (
            "{ scan(id: \"00000000-0000-0000-0000-000000000000\") { id } }",
            "NOT_FOUND",
        ),
        ("{ cluster(id: \"nope\") { id } }", "NOT_FOUND"),
        (
            "{ reports(first: -1) { edges { cursor } } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ reports(first: 500) { edges { cursor } } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ reports(after: \"xyz\") { edges { cursor } } }",
            "BAD_USER_INPUT",
        ),
        ("{ clusters { id ", "BAD_USER_INPUT"),
        ("{ nosuchfield }", "BAD_USER_INPUT"),
        (
            "mutation { cancelScan(id: \"00000000-0000-0000-0000-000000000000\") { id } }",
            "NOT_FOUND",
        ),
    ];
    for (q, want) in cases {
        let r = app.gql(q, json!({})).await;
        assert_eq!(code(&r), want, "{q}: {r}");
    }
    // too deep
    let too_deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }";
    let r = app.gql(too_deep, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    // not JSON, and too large
    let r = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&app.admin)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(code(&v), "BAD_USER_INPUT");
    let huge = json!({ "query": format!("{{ clusters {{ id }} }} #{}", "x".repeat(300_000)) });
    let r = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&app.admin)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // skip reasons are bounded
    let long = "x".repeat(2000);
    let r = app.gql("mutation($r: String) { skipTest(clusterId: \"demo\", testId: \"1.2.15\", reason: $r) { testId } }", json!({ "r": long })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn database_failure_is_internal_without_detail_and_recovers() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    app.scan_to_end("demo").await;
    // a page of reports is always read from the database (one report may be served from memory)
    let q = "{ reports(first: 1) { edges { node { id } } } }";
    let vars = json!({});
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared("ALTER TABLE reports RENAME TO reports_away")
        .await
        .unwrap();
    let r = app.gql(q, vars.clone()).await;
    assert_eq!(code(&r), "INTERNAL");
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(
        !msg.contains("reports") && !msg.to_lowercase().contains("sql"),
        "detail leaked: {msg}"
    );
    db.execute_unprepared("ALTER TABLE reports_away RENAME TO reports")
        .await
        .unwrap();
    let r = app.gql(q, vars).await;
    assert!(r.get("errors").is_none(), "recovers: {r}");
}
