//! What a request really costs, counted while it runs.
//!
//! Before anything runs, the complexity check prices every list at an estimate
//! (`paging`, `types::LIST_ESTIMATE`): the real length of a check's nodes, a cluster
//! list or a skip's node names is only known once the store has answered. A list that
//! turns out longer than its estimate charges the difference here, for every field
//! selected under it, against the same limit: a 1,000-node check costs 1,000 nodes,
//! and the request is refused while its answer is being built, not after.

use super::errors::coded;
use super::limits::Limit;
use async_graphql::{Context, ErrorExtensions};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The cost one request has run up, against its limit; in the request's data.
#[derive(Debug)]
pub struct CostMeter {
    limit: usize,
    spent: AtomicUsize,
}

impl CostMeter {
    /// A meter for a request that may cost `limit`.
    pub fn new(limit: usize) -> Self {
        CostMeter {
            limit,
            spent: AtomicUsize::new(0),
        }
    }

    /// Adds `units`; an error once the total passes the limit (and for every charge after).
    pub fn charge(&self, units: usize) -> async_graphql::Result<()> {
        // saturating, never wrapping: a total past usize::MAX stays refused
        let before = self
            .spent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                Some(s.saturating_add(units))
            })
            .unwrap_or_else(|s| s);
        let spent = before.saturating_add(units);
        if spent <= self.limit {
            return Ok(());
        }
        Err(coded(
            "BAD_USER_INPUT",
            format!(
                "the query costs more than its limit of {} once the lists' real lengths are \
                 counted (a check's nodes, the clusters): page them with limit/first, or ask for fewer fields",
                self.limit
            ),
        )
        .extend_with(|_, e| e.set("limit", Limit::Complexity.as_str())))
    }

    /// What has been charged so far.
    pub fn spent(&self) -> usize {
        self.spent.load(Ordering::Relaxed)
    }
}

/// Charges a list of `len` items the static check priced at `estimate` items: the
/// items beyond it, times the fields selected under each (1 for a list of scalars).
pub fn charge_list(ctx: &Context<'_>, len: usize, estimate: usize) -> async_graphql::Result<()> {
    let Some(meter) = ctx.data_opt::<CostMeter>() else {
        return Ok(());
    };
    let extra = len.saturating_sub(estimate);
    if extra == 0 {
        return Ok(());
    }
    let per_item = ctx.field().selection_set().count().max(1);
    meter.charge(extra.saturating_mul(per_item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_up_to_the_limit_pass_and_beyond_it_fail() {
        let m = CostMeter::new(100);
        assert!(m.charge(60).is_ok());
        assert!(m.charge(40).is_ok());
        let e = m.charge(1).unwrap_err();
        assert!(e.message.contains("limit of 100"), "{}", e.message);
        assert!(m.charge(0).is_err(), "stays refused");
    }

    #[test]
    fn a_huge_charge_does_not_wrap_around() {
        let m = CostMeter::new(10);
        assert!(m.charge(usize::MAX).is_err());
        assert!(m.charge(usize::MAX).is_err());
        assert!(m.charge(5).is_err());
        assert!(m.charge(0).is_err());
    }
}
