//! Skips (skipped tests): what a skip may ask for, which ones a scan
//! applies at a given time, and the actions the audit trail records. Pure:
//! the store keeps them, the scan runner and the API call these.

use crate::engine::report::Skip;
use crate::error::{Error, Result};
use crate::service::store::entity::skipped_test;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::StringLen;

/// Longest skip reason accepted.
pub const MAX_REASON: usize = 1000;
/// Most nodes one skip may name.
pub const MAX_NODES: usize = 1000;
/// Longest node name (a Kubernetes object name: a DNS subdomain).
pub const MAX_NODE_NAME: usize = 253;
/// Most bytes the names of one skip's nodes may add up to: 1,000 names of
/// 64 characters. One skip, and each of its audit entries, stays within it.
pub const MAX_NODES_BYTES: usize = 64 * 1024;

/// What an entry of the skip audit trail records: a skip or an unskip.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    async_graphql::Enum,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum SkipAction {
    // schema.graphql shows this description: it keeps the older word
    /// A test skipped (or its exception replaced).
    #[sea_orm(string_value = "SKIP")]
    Skip,
    /// A skip removed.
    #[sea_orm(string_value = "UNSKIP")]
    Unskip,
}

/// A skip as asked for: why, until when, and on which nodes (empty = all).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckedSkip {
    pub reason: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub nodes: Vec<String>,
}

impl CheckedSkip {
    /// Checks the expiry against `now` and bounds the node list; repeated names
    /// are kept once. Errors name the field (BAD_USER_INPUT).
    pub fn checked(
        reason: Option<String>,
        expires_at: Option<DateTime<Utc>>,
        nodes: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        if reason.as_ref().is_some_and(|r| r.len() > MAX_REASON) {
            return Err(Error::Invalid(format!(
                "reason is longer than {MAX_REASON} characters"
            )));
        }
        if expires_at.is_some_and(|e| e <= now) {
            return Err(Error::Invalid(
                "expiresAt must be in the future".to_string(),
            ));
        }
        if nodes.len() > MAX_NODES {
            return Err(Error::Invalid(format!(
                "nodes: at most {MAX_NODES} node names"
            )));
        }
        if nodes.iter().map(String::len).sum::<usize>() > MAX_NODES_BYTES {
            return Err(Error::Invalid(format!(
                "nodes: the names add up to more than {MAX_NODES_BYTES} bytes"
            )));
        }
        let mut kept: Vec<String> = Vec::with_capacity(nodes.len());
        let mut seen = std::collections::HashSet::with_capacity(nodes.len());
        for n in nodes {
            if n.trim().is_empty() || n.len() > MAX_NODE_NAME {
                return Err(Error::Invalid(format!(
                    "nodes: each name must be 1 to {MAX_NODE_NAME} characters"
                )));
            }
            // duplicates dropped, first-named order kept
            if seen.insert(n.clone()) {
                kept.push(n);
            }
        }
        Ok(CheckedSkip {
            reason,
            expires_at,
            nodes: kept,
        })
    }
}

/// The stored form of a node list: a JSON array, or null for every node.
pub fn encode_nodes(nodes: &[String]) -> Option<String> {
    (!nodes.is_empty()).then(|| serde_json::to_string(nodes).unwrap_or_default())
}

/// The node list back from its stored form; a value that is not a JSON list
/// of names is a database error naming the test (never "every node").
pub fn decode_nodes(stored: Option<&str>, test_id: &str) -> Result<Vec<String>> {
    match stored {
        None => Ok(Vec::new()),
        Some(s) => serde_json::from_str(s)
            .map_err(|e| Error::Internal(format!("stored nodes of skipped test '{test_id}': {e}"))),
    }
}

/// True once the skip no longer applies.
pub fn expired(row: &skipped_test::Model, now: DateTime<Utc>) -> bool {
    row.expires_at.is_some_and(|e| e <= now)
}

/// The nodes a skip names that a report does not have (`known`: the
/// report's nodes and those it left out), in the skip's order: a typo or
/// a node since removed, where the skip hides nothing.
pub fn unknown_nodes<'a>(
    named: &[String],
    known: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let known: std::collections::HashSet<&str> = known.into_iter().collect();
    named
        .iter()
        .filter(|n| !known.contains(n.as_str()))
        .cloned()
        .collect()
}

/// The skips a scan starting at `now` applies: expired skips are left out.
pub fn in_force(rows: Vec<skipped_test::Model>, now: DateTime<Utc>) -> Result<Vec<Skip>> {
    rows.into_iter()
        .filter(|r| !expired(r, now))
        .map(|r| {
            Ok(Skip {
                nodes: decode_nodes(r.nodes.as_deref(), &r.test_id)?,
                id: r.test_id,
                reason: r.reason,
                by: Some(r.created_by),
                at: Some(r.created_at.to_rfc3339()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn row(
        id: &str,
        expires_at: Option<DateTime<Utc>>,
        nodes: Option<&str>,
    ) -> skipped_test::Model {
        skipped_test::Model {
            cluster_id: "c".into(),
            test_id: id.into(),
            reason: Some("why".into()),
            created_by: "admin".into(),
            created_at: Utc::now(),
            expires_at,
            nodes: nodes.map(str::to_string),
            last_matched_at: None,
        }
    }

    #[test]
    fn unknown_nodes_are_the_named_ones_the_report_lacks_in_their_order() {
        let named = vec!["worker-2".to_string(), "cp-1".into(), "cp1".into()];
        let known = ["cp-1", "worker-1"];
        assert_eq!(unknown_nodes(&named, known), vec!["worker-2", "cp1"]);
        assert!(unknown_nodes(&[], known).is_empty());
    }

    #[test]
    fn a_reason_over_the_limit_is_refused_naming_it() {
        let long = "x".repeat(MAX_REASON + 1);
        let e = CheckedSkip::checked(Some(long), None, vec![], Utc::now()).unwrap_err();
        assert!(e.to_string().contains("reason is longer than 1000"), "{e}");
        assert!(
            CheckedSkip::checked(Some("x".repeat(MAX_REASON)), None, vec![], Utc::now()).is_ok()
        );
    }

    #[test]
    fn an_expiry_in_the_past_is_refused_naming_the_field() {
        let now = Utc::now();
        let e = CheckedSkip::checked(None, Some(now - Duration::seconds(1)), vec![], now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expiresAt"), "{e}");
    }

    #[test]
    fn more_than_the_bound_of_nodes_is_refused_naming_the_field() {
        let many = (0..=MAX_NODES).map(|i| format!("n{i}")).collect();
        let e = CheckedSkip::checked(None, None, many, Utc::now())
            .unwrap_err()
            .to_string();
        assert!(e.contains("nodes"), "{e}");
    }

    #[test]
    fn an_empty_or_overlong_node_name_is_refused() {
        let now = Utc::now();
        assert!(CheckedSkip::checked(None, None, vec![" ".into()], now).is_err());
        assert!(CheckedSkip::checked(None, None, vec!["x".repeat(254)], now).is_err());
        assert!(CheckedSkip::checked(None, None, vec!["x".repeat(253)], now).is_ok());
    }

    #[test]
    fn node_names_adding_up_past_the_byte_bound_are_refused() {
        let now = Utc::now();
        // 1,000 names of 240 characters: each one allowed, together 240 KB
        let big: Vec<String> = (0..MAX_NODES).map(|i| format!("{i:0>240}")).collect();
        let e = CheckedSkip::checked(None, None, big, now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("65536 bytes"), "{e}");
        let fits: Vec<String> = (0..MAX_NODES).map(|i| format!("{i:0>64}")).collect();
        assert!(CheckedSkip::checked(None, None, fits, now).is_ok());
    }

    #[test]
    fn repeated_node_names_are_kept_once_in_order() {
        let e = CheckedSkip::checked(
            None,
            None,
            vec!["b".into(), "a".into(), "b".into()],
            Utc::now(),
        )
        .unwrap();
        assert_eq!(e.nodes, vec!["b", "a"]);
    }

    #[test]
    fn node_lists_round_trip_and_empty_means_null() {
        assert_eq!(encode_nodes(&[]), None);
        let stored = encode_nodes(&["cp".into(), "w".into()]);
        assert_eq!(
            decode_nodes(stored.as_deref(), "1.1").unwrap(),
            vec!["cp", "w"]
        );
        assert!(decode_nodes(Some("not json"), "1.1").is_err());
    }

    #[test]
    fn expired_skips_are_left_out_and_others_carry_their_nodes() {
        let now = Utc::now();
        let rows = vec![
            row("1.1", Some(now - Duration::minutes(1)), None),
            row("1.2", Some(now + Duration::minutes(1)), Some("[\"w\"]")),
            row("1.3", None, None),
        ];
        let skips = in_force(rows, now).unwrap();
        let ids: Vec<&str> = skips.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, vec!["1.2", "1.3"]);
        assert_eq!(skips[0].nodes, vec!["w"]);
        assert!(skips[1].nodes.is_empty());
    }

    #[test]
    fn a_skip_expires_at_its_expiry_time() {
        let now = Utc::now();
        assert!(expired(&row("1.1", Some(now), None), now));
        assert!(!expired(&row("1.1", None, None), now));
    }
}
