//! Paging and query cost of a report's lists: `Report.results` and `CheckResult.nodes`
//! are paged by `offset` and `limit` (a report never changes, so an offset is stable) and
//! priced by their page size when one is given.

use super::errors::coded;
use async_graphql::Result;

/// What other unpaged lists (clusters, schedules, skipped tests) count as for query cost.
pub const LIST_ESTIMATE: usize = 20;

/// What `Report.results` counts as for query cost without `limit`: no benchmark has more checks.
pub const MAX_CHECKS: usize = 150;
/// What `CheckResult.nodes` counts as for query cost without `node` or `limit`. The real
/// number is known only once the report is read; answers larger than `max_response_bytes`
/// are refused after the fact.
pub const NODES_ESTIMATE: usize = 5;
/// The most nodes `limit` is priced at: larger pages cost the same as this.
pub const MAX_NODES: usize = 5000;

/// Query cost of a list: its page size when given (at most `max`), else `estimate`.
pub fn list_cost(limit: Option<i32>, estimate: usize, max: usize, child: usize) -> usize {
    let n = limit.map_or(estimate, |l| (l.max(0) as usize).min(max));
    n.max(1).saturating_mul(child).saturating_add(1)
}

/// Query cost of a check's nodes: one when a node is named.
pub fn nodes_cost(node: bool, limit: Option<i32>, child: usize) -> usize {
    if node {
        child.saturating_add(1)
    } else {
        list_cost(limit, NODES_ESTIMATE, MAX_NODES, child)
    }
}

/// Skips `offset` items and keeps at most `limit`; both checked.
pub fn page<T>(items: impl Iterator<Item = T>, offset: i32, limit: Option<i32>) -> Result<Vec<T>> {
    if offset < 0 || limit.is_some_and(|l| l < 0) {
        return Err(coded(
            "BAD_USER_INPUT",
            "offset and limit must not be negative",
        ));
    }
    let limit = limit.map_or(usize::MAX, |l| l as usize);
    Ok(items.skip(offset as usize).take(limit).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_page_size_prices_the_list() {
        assert_eq!(list_cost(Some(10), MAX_CHECKS, MAX_CHECKS, 3), 31);
        assert_eq!(list_cost(None, MAX_CHECKS, MAX_CHECKS, 3), 451);
        assert_eq!(list_cost(Some(100_000), NODES_ESTIMATE, MAX_NODES, 1), 5001);
        assert_eq!(nodes_cost(true, Some(500), 4), 5);
        assert_eq!(nodes_cost(false, None, 4), 21);
    }

    #[test]
    fn paging_skips_then_takes_and_refuses_negatives() {
        assert_eq!(page(0..10, 3, Some(2)).unwrap(), vec![3, 4]);
        assert_eq!(page(0..3, 1, None).unwrap(), vec![1, 2]);
        assert!(page(0..3, -1, None).is_err());
        assert!(page(0..3, 0, Some(-5)).is_err());
    }
}
