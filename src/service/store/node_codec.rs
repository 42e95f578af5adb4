//! A check's per-node results as stored in `check_results.nodes`.
//!
//! Most nodes of a cluster share a configuration, so a 1,000-node check holds a
//! handful of distinct results. Format 2 stores each distinct result once with
//! the positions of the nodes that share it, and names nodes by their index in
//! the report's node list (`reports.nodes`, which every report stores anyway):
//!
//! `{"v":2,"n":"0-2,5","x":["cluster"],"g":[{"at":"0-1","r":{"state":"PASS",…}},…]}`
//!
//! - `n`: the check's nodes in its order, as indices into the report's node names
//!   followed by `x` (names the report's list lacks, such as "cluster"), as ranges;
//! - `g`: every distinct result (all of a [`NodeResult`] but its node) with the
//!   positions in `n` where it holds, as ranges; every position exactly once.
//!
//! Format 1, a JSON array of [`NodeResult`], is what reports saved before format 2
//! hold until the migration converts them; it is read as well, so a read never
//! fails halfway through a migration. The migration's own conversion
//! (`migration::compact_nodes`) writes the same format; the property tests
//! (`proptests::node_results`) hold the two to each other.

use super::node_ranges::{ranges, Ranges};
use crate::engine::audit::{self, AuditHints};
use crate::engine::report::{NodeResult, State};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The format this code writes.
const VERSION: u32 = 2;

/// At most this many node results per check are decoded from format 2 (a real
/// check has one per node): a damaged row is an error, not an unbounded list.
pub const MAX_RESULTS: usize = 1 << 20;

/// The report's node names, looked up by name, for encoding its checks.
pub struct NodeNames<'a> {
    index: HashMap<&'a str, usize>,
    len: usize,
}

impl<'a> NodeNames<'a> {
    /// The index of each name (its first place when a name repeats).
    pub fn new(names: &'a [String]) -> Self {
        let mut index = HashMap::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            index.entry(n.as_str()).or_insert(i);
        }
        NodeNames {
            index,
            len: names.len(),
        }
    }
}

/// All of a node result but its node: what nodes share.
#[derive(Serialize, Clone, Copy, PartialEq, Eq, Hash)]
struct Shared<'a> {
    state: State,
    actual: &'a str,
    expected: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    audit: &'a str,
}

#[derive(Serialize)]
struct GroupOut<'a> {
    at: String,
    r: Shared<'a>,
}

#[derive(Serialize)]
struct CompactOut<'a> {
    v: u32,
    n: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    x: Vec<&'a str>,
    g: Vec<GroupOut<'a>>,
}

/// A check's node results in format 2, node names as indices into `names`.
pub fn encode(nodes: &[NodeResult], names: &NodeNames) -> String {
    let mut extra: Vec<&str> = Vec::new();
    let mut extra_at: HashMap<&str, usize> = HashMap::new();
    let mut order = Vec::with_capacity(nodes.len());
    let mut groups: Vec<(Shared, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<Shared, usize> = HashMap::new();
    for (pos, n) in nodes.iter().enumerate() {
        let index = match names.index.get(n.node.as_str()) {
            Some(&i) => i,
            None => *extra_at.entry(&n.node).or_insert_with(|| {
                extra.push(&n.node);
                names.len + extra.len() - 1
            }),
        };
        order.push(index);
        let shared = Shared {
            state: n.state,
            actual: &n.actual,
            expected: &n.expected,
            source: &n.source,
            reason: n.reason.as_deref(),
            audit: &n.audit,
        };
        let g = *group_of.entry(shared).or_insert_with(|| {
            groups.push((shared, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(pos);
    }
    let out = CompactOut {
        v: VERSION,
        n: ranges(&order),
        x: extra,
        g: groups
            .into_iter()
            .map(|(r, at)| GroupOut { at: ranges(&at), r })
            .collect(),
    };
    // strings, an enum and integers: serializing cannot fail
    serde_json::to_string(&out).unwrap_or_default()
}

#[derive(Deserialize)]
struct SharedIn {
    state: State,
    actual: String,
    expected: String,
    source: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    audit: String,
}

#[derive(Deserialize)]
struct GroupIn {
    at: String,
    r: SharedIn,
}

#[derive(Deserialize)]
struct CompactIn {
    v: u32,
    n: String,
    #[serde(default)]
    x: Vec<String>,
    g: Vec<GroupIn>,
}

/// A check's node results from either format, in the order they were saved;
/// `names` is the report's node list (only format 2 needs it). The error says
/// what is wrong with the text.
pub fn decode(text: &str, names: &[String]) -> Result<Vec<NodeResult>, String> {
    if text.trim_start().starts_with('[') {
        let mut nodes: Vec<NodeResult> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for n in nodes.iter_mut().filter(|n| n.audit.is_empty()) {
            n.audit = derived_audit(&n.source, &n.expected);
        }
        return Ok(nodes);
    }
    let c: CompactIn = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if c.v != VERSION {
        return Err(format!("unknown node results format {}", c.v));
    }
    let known = names.len() + c.x.len();
    let order = Ranges::parse(&c.n, known)?.collect_at_most(MAX_RESULTS)?;
    // which group each position takes its result from
    let mut from = vec![usize::MAX; order.len()];
    for (g, group) in c.g.iter().enumerate() {
        for pos in Ranges::parse(&group.at, order.len())?.iter() {
            if from[pos] != usize::MAX {
                return Err(format!("node position {pos} has two results"));
            }
            from[pos] = g;
        }
    }
    order
        .iter()
        .zip(&from)
        .enumerate()
        .map(|(pos, (&i, &g))| {
            let r =
                &c.g.get(g)
                    .ok_or(format!("node position {pos} has no result"))?
                    .r;
            let node = match names.get(i) {
                Some(n) => n.clone(),
                None => c.x[i - names.len()].clone(),
            };
            Ok(NodeResult {
                node,
                state: r.state,
                actual: r.actual.clone(),
                expected: r.expected.clone(),
                source: r.source.clone(),
                reason: r.reason.clone(),
                audit: match r.audit.as_str() {
                    "" => derived_audit(&r.source, &r.expected),
                    a => a.to_string(),
                },
            })
        })
        .collect()
}

/// The audit of a result saved before results carried one: what its source names
/// (the evaluator's hints, such as a kubelet's drop-ins, were not kept).
fn derived_audit(source: &str, expected: &str) -> String {
    audit::command(source, expected, &AuditHints::default())
}

#[cfg(test)]
#[path = "node_codec_tests.rs"]
mod tests;
