//! What a request really costs, counted while it runs.
//!
//! Before anything runs, the complexity check prices every list at an estimate
//! (`paging`, `paging::LIST_ESTIMATE`): the real length of a check's nodes, a cluster
//! list or a skip's node names is only known once the store has answered. A list that
//! turns out longer than its estimate charges the difference here, for every field
//! selected under it, against the same limit: a 1,000-node check costs 1,000 nodes,
//! and the request is refused while its answer is being built, not after.

use super::errors::coded;
use super::refusals::Limit;
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

/// How a field that returns a list, or a root field, is kept from costing more than
/// its price. Every such field of the schema is listed in [`PRICES`]; a test fails
/// for one that is not, so a new list cannot arrive without a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Price {
    /// Priced by its page argument (`first`, `limit`, `last`) before anything runs.
    Paged,
    /// Priced at an estimate before anything runs, and by its real length as it runs
    /// ([`charge_list`]).
    Counted,
    /// Its length has a fixed bound, said here (the benchmark definitions, the formats).
    Bounded(&'static str),
    /// Its length was paid for by the field it belongs to, named here.
    PaidBy(&'static str),
    /// One row by its key.
    One,
    /// A subscription: bounded per connection, and its events are small.
    Subscription,
}

/// Every list field and every root field of the schema, with how it is priced.
pub const PRICES: &[(&str, &str, Price)] = &[
    ("Query", "clusters", Price::Paged),
    ("Query", "clusterCount", Price::Bounded("one number")),
    ("Query", "cluster", Price::One),
    ("Query", "report", Price::One),
    ("Query", "reports", Price::Paged),
    ("Query", "compareReports", Price::Counted),
    ("Query", "checkHistory", Price::Paged),
    ("Query", "scan", Price::One),
    ("Query", "skippedTests", Price::Counted),
    ("Query", "skipAudit", Price::Paged),
    ("Query", "schedules", Price::Counted),
    (
        "Query",
        "benchmarks",
        Price::Bounded("the benchmark definitions"),
    ),
    (
        "Query",
        "profiles",
        Price::Bounded("the benchmark definitions"),
    ),
    ("Query", "fleet", Price::Paged),
    ("Subscription", "scanEvents", Price::Subscription),
    ("Subscription", "scanProgress", Price::Subscription),
    ("CheckResult", "nodes", Price::Counted),
    (
        "CheckStateChange",
        "nodes",
        Price::PaidBy("Query.compareReports"),
    ),
    ("Cluster", "skippedTests", Price::Counted),
    (
        "Fleet",
        "benchmarks",
        Price::Bounded("the benchmark definitions"),
    ),
    ("Fleet", "clusters", Price::PaidBy("Query.fleet")),
    ("Fleet", "checks", Price::PaidBy("Query.fleet")),
    ("FleetCheck", "states", Price::PaidBy("Query.fleet")),
    (
        "ProfileInfo",
        "skips",
        Price::Bounded("the benchmark definitions"),
    ),
    ("Report", "excludedNodes", Price::Counted),
    ("Report", "nodes", Price::Counted),
    ("Report", "downloads", Price::Bounded("the export formats")),
    ("Report", "results", Price::Paged),
    (
        "Report",
        "sections",
        Price::Bounded("the benchmark's sections"),
    ),
    (
        "ReportComparison",
        "newFailures",
        Price::PaidBy("Query.compareReports"),
    ),
    (
        "ReportComparison",
        "fixed",
        Price::PaidBy("Query.compareReports"),
    ),
    (
        "ReportComparison",
        "stillFailing",
        Price::PaidBy("Query.compareReports"),
    ),
    (
        "ReportComparison",
        "changed",
        Price::PaidBy("Query.compareReports"),
    ),
    ("ReportConnection", "edges", Price::PaidBy("Query.reports")),
    ("ReportConnection", "nodes", Price::PaidBy("Query.reports")),
    (
        "SkipAuditEntry",
        "nodes",
        Price::Bounded("an exception names at most 1,000 nodes"),
    ),
    (
        "SkipAuditEntryConnection",
        "edges",
        Price::PaidBy("Query.skipAudit"),
    ),
    (
        "SkipAuditEntryConnection",
        "nodes",
        Price::PaidBy("Query.skipAudit"),
    ),
    ("SkippedTest", "nodes", Price::Counted),
    ("SkippedTest", "unknownNodes", Price::Counted),
];

#[cfg(test)]
mod schema_prices {
    use super::*;
    use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
    use std::collections::BTreeSet;

    fn is_list(t: &Type) -> bool {
        matches!(t.base, BaseType::List(_))
    }

    /// (type, field) of every list field and every root field of the committed SDL.
    fn fields_needing_a_price() -> BTreeSet<(String, String)> {
        let sdl = include_str!("../../../schema.graphql");
        let doc = async_graphql::parser::parse_schema(sdl).expect("schema.graphql parses");
        let mut out = BTreeSet::new();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let name = t.node.name.node.to_string();
            let TypeKind::Object(object) = &t.node.kind else {
                continue;
            };
            let root = matches!(name.as_str(), "Query" | "Mutation" | "Subscription");
            for f in &object.fields {
                let field = &f.node;
                // mutations each do one bounded thing, priced by the per-client share
                if name == "Mutation" {
                    continue;
                }
                if root || is_list(&field.ty.node) {
                    out.insert((name.clone(), field.name.node.to_string()));
                }
            }
        }
        out
    }

    #[test]
    fn every_list_and_root_field_of_the_schema_has_a_price() {
        let priced: BTreeSet<(String, String)> = PRICES
            .iter()
            .map(|(t, f, _)| (t.to_string(), f.to_string()))
            .collect();
        let needed = fields_needing_a_price();
        let missing: Vec<_> = needed.difference(&priced).collect();
        assert!(
            missing.is_empty(),
            "fields without a price in cost::PRICES: {missing:?}"
        );
        let stale: Vec<_> = priced.difference(&needed).collect();
        assert!(
            stale.is_empty(),
            "cost::PRICES names fields the schema lacks: {stale:?}"
        );
    }

    #[test]
    fn a_field_paid_by_another_names_a_priced_field() {
        for (t, f, price) in PRICES {
            if let Price::PaidBy(by) = price {
                let (bt, bf) = by.split_once('.').unwrap();
                assert!(
                    PRICES.iter().any(|(pt, pf, p)| *pt == bt
                        && *pf == bf
                        && !matches!(p, Price::PaidBy(_))),
                    "{t}.{f} is paid by {by}, which has no price of its own"
                );
            }
        }
    }
}
