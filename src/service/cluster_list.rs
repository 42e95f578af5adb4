//! The clusters a caller may see, a page at a time: searched by name or id and
//! ordered by id or worst first, so an overview of thousands of clusters reads
//! one page of them and never renders them all.

use super::store::entity::cluster;
use super::store::Store;
use crate::error::{Error, Result};
use std::collections::HashMap;

/// The largest page of clusters.
pub const MAX_PAGE: usize = 500;
/// The page when none is asked for.
pub const DEFAULT_PAGE: usize = 100;
/// The longest search text.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Which clusters, in which order.
#[derive(Debug, Clone, Default)]
pub struct ClusterListing {
    pub first: usize,
    pub offset: usize,
    /// Most failures and errors first, then most warnings, then by name; clusters
    /// without a report last. Otherwise by id.
    pub worst_first: bool,
    /// Only clusters whose name or id contains this, ignoring case.
    pub search: Option<String>,
}

/// One page of clusters and how many match in all.
#[derive(Debug)]
pub struct ClusterPage {
    pub total: usize,
    pub clusters: Vec<cluster::Model>,
}

impl ClusterListing {
    /// Checks the page and the search; BAD_USER_INPUT naming what is wrong.
    pub fn checked(self) -> Result<Self> {
        if self.first == 0 || self.first > MAX_PAGE {
            return Err(Error::Invalid(format!(
                "first must be between 1 and {MAX_PAGE}"
            )));
        }
        if self
            .search
            .as_deref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(Error::Invalid(format!(
                "search is at most {MAX_SEARCH_CHARS} characters"
            )));
        }
        Ok(self)
    }
}

/// The page `listing` asks for among the clusters `only` allows (an owner's one).
pub async fn list_clusters(
    store: &Store,
    only: Option<&str>,
    listing: &ClusterListing,
) -> Result<ClusterPage> {
    let mut rows = store.clusters(only).await?;
    if let Some(text) = listing.search.as_deref().filter(|s| !s.is_empty()) {
        rows.retain(|c| matches(c, text));
    }
    let total = rows.len();
    if listing.worst_first {
        let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
        let badness = store.latest_badness(&ids).await?;
        order_worst_first(&mut rows, &badness);
    }
    let clusters = rows
        .into_iter()
        .skip(listing.offset)
        .take(listing.first)
        .collect();
    Ok(ClusterPage { total, clusters })
}

fn matches(c: &cluster::Model, text: &str) -> bool {
    let text = text.to_lowercase();
    c.name.to_lowercase().contains(&text) || c.id.to_lowercase().contains(&text)
}

/// Most failures and errors first, then most warnings, then by name (then id);
/// clusters without a report after every cluster with one.
fn order_worst_first(rows: &mut [cluster::Model], badness: &HashMap<String, (i64, i64)>) {
    let key = |c: &cluster::Model| badness.get(&c.id).copied().unwrap_or((-1, -1));
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.cmp(&ka)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(id: &str, name: &str) -> cluster::Model {
        cluster::Model {
            id: id.into(),
            name: name.into(),
            source: "{}".into(),
            active: true,
            created_at: chrono::Utc::now(),
            secret: None,
            origin: cluster::ClusterOrigin::Config,
            agentless: false,
            benchmark: None,
        }
    }

    #[test]
    fn worst_first_orders_by_failures_then_warnings_then_name_and_unscanned_last() {
        let mut rows = vec![
            cluster("a", "Alpha"),
            cluster("b", "beta"),
            cluster("c", "Gamma"),
            cluster("d", "Delta"),
            cluster("e", "Echo"),
        ];
        let badness = HashMap::from([
            ("a".to_string(), (3, 0)),
            ("b".to_string(), (5, 1)),
            ("c".to_string(), (3, 2)),
            ("d".to_string(), (0, 0)),
        ]);
        order_worst_first(&mut rows, &badness);
        let ids: Vec<&str> = rows.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a", "d", "e"]);
    }

    #[test]
    fn search_matches_name_or_id_ignoring_case() {
        let c = cluster("prod-eu-1", "Production EU");
        assert!(matches(&c, "PROD-EU"));
        assert!(matches(&c, "production"));
        assert!(!matches(&c, "staging"));
    }

    #[test]
    fn a_page_out_of_bounds_or_a_long_search_is_refused() {
        let ok = ClusterListing {
            first: 10,
            ..Default::default()
        };
        assert!(ok.clone().checked().is_ok());
        for bad in [
            ClusterListing {
                first: 0,
                ..ok.clone()
            },
            ClusterListing {
                first: MAX_PAGE + 1,
                ..ok.clone()
            },
            ClusterListing {
                search: Some("x".repeat(MAX_SEARCH_CHARS + 1)),
                ..ok.clone()
            },
        ] {
            assert!(bad.checked().is_err());
        }
    }
}
