//! What tests ask a running [`TestApp`]: GraphQL as the administrator or another
//! token, plain GETs, and scans run to their end.

use crate::support::app::TestApp;
use crate::support::wait::{wait_for, EVENT};
use serde_json::{json, Value};

impl TestApp {
    /// POSTs a GraphQL request with a token (or none).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    /// POSTs a GraphQL request as the administrator.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.admin), query, variables).await
    }

    /// Runs a query that must succeed; returns `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let r = self.gql(query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }

    /// The body of GET `path` (e.g. "/metrics") with the admin token.
    pub async fn admin_text(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Starts a scan and waits for it to end; returns the final scan object.
    pub async fn scan_to_end(&self, cluster: &str) -> Value {
        let d = self
            .ok(
                "mutation($c: ID!) { runScan(clusterId: $c) { id state } }",
                json!({ "c": cluster }),
            )
            .await;
        let id = d["runScan"]["id"].as_str().unwrap().to_string();
        self.wait_scan(&id).await
    }

    /// Publishes a probe event of `cluster` (scan id nil, QUEUED) every 20 ms
    /// until a subscription counting into `seen` received one: from then on
    /// that subscription is live and misses nothing.
    pub async fn probe_until_seen(&self, cluster: &str, seen: &crate::support::ws::Seen) {
        use cis_scan::service::domain::{ScanPhase, ScanState};
        wait_for("the subscription to receive a probe", EVENT, || {
            let live = seen.count() > 0;
            if !live {
                let probe = cis_scan::service::scan::event(
                    uuid::Uuid::nil(),
                    cluster,
                    ScanPhase::Queued,
                    ScanState::Queued,
                    "probe",
                );
                self.state.scanner.progress.publish(probe);
            }
            async move { live.then_some(()) }
        })
        .await;
    }

    /// A scan's state.
    pub async fn scan_state(&self, id: &str) -> String {
        self.ok(
            "query($id: ID!) { scan(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await["scan"]["state"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Polls (bounded) until a scan reaches `want`.
    pub async fn wait_state(&self, id: &str, want: &str) {
        wait_for(&format!("scan {id} to reach {want}"), EVENT, || async {
            (self.scan_state(id).await == want).then_some(())
        })
        .await;
    }

    /// Polls a scan until it is final (bounded).
    pub async fn wait_scan(&self, id: &str) -> Value {
        wait_for(&format!("scan {id} to finish"), EVENT, || async {
            let d = self
                .ok(
                    "query($id: ID!) { scan(id: $id) { id state message report { id } } }",
                    json!({ "id": id }),
                )
                .await;
            let st = d["scan"]["state"].as_str().unwrap();
            (!["QUEUED", "RUNNING"].contains(&st)).then(|| d["scan"].clone())
        })
        .await
    }
}

/// The `extensions.code` of the first error.
pub fn code(v: &Value) -> String {
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
        .to_string()
}
