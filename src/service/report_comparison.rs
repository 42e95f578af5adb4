//! Comparing two reports of one cluster check by check.

use crate::engine::report::{CheckResult, State};
use std::collections::{BTreeMap, HashMap};

/// A check's state in two reports; `None` where the report lacks the check or node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeChange {
    pub node: String,
    pub before: Option<State>,
    pub after: Option<State>,
}

/// One check of a comparison, with the nodes whose state changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckChange {
    pub id: String,
    pub title: String,
    pub before: Option<State>,
    pub after: Option<State>,
    pub nodes: Vec<NodeChange>,
}

/// Two reports compared; each list in the head's (then the base's) benchmark order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Failing in head, not failing (or absent) in base.
    pub new_failures: Vec<CheckChange>,
    /// Failing in base, PASS in head.
    pub fixed: Vec<CheckChange>,
    /// Failing in both.
    pub still_failing: Vec<CheckChange>,
    /// Any other change of state (e.g. FAIL to SKIP, PASS to WARN, a check added or gone).
    pub changed: Vec<CheckChange>,
}

/// FAIL and ERROR both need someone's attention.
fn failing(s: Option<State>) -> bool {
    matches!(s, Some(State::Fail | State::Error))
}

fn node_changes(base: Option<&CheckResult>, head: Option<&CheckResult>) -> Vec<NodeChange> {
    let mut nodes: BTreeMap<&str, (Option<State>, Option<State>)> = BTreeMap::new();
    for n in base.map(|c| c.nodes.as_slice()).unwrap_or_default() {
        nodes.entry(&n.node).or_default().0 = Some(n.state);
    }
    for n in head.map(|c| c.nodes.as_slice()).unwrap_or_default() {
        nodes.entry(&n.node).or_default().1 = Some(n.state);
    }
    nodes
        .into_iter()
        .filter(|(_, (b, a))| b != a)
        .map(|(node, (before, after))| NodeChange {
            node: node.to_string(),
            before,
            after,
        })
        .collect()
}

/// Sorts every check of `base` and `head` into the comparison's lists; unchanged
/// non-failing checks are left out.
pub fn compare(base: &[CheckResult], head: &[CheckResult]) -> Comparison {
    let base_by_id: HashMap<&str, &CheckResult> = base.iter().map(|c| (c.id.as_str(), c)).collect();
    let head_ids: HashMap<&str, ()> = head.iter().map(|c| (c.id.as_str(), ())).collect();
    let pairs = head
        .iter()
        .map(|h| (base_by_id.get(h.id.as_str()).copied(), Some(h)))
        .chain(
            base.iter()
                .filter(|b| !head_ids.contains_key(b.id.as_str()))
                .map(|b| (Some(b), None)),
        );
    let mut out = Comparison::default();
    for (b, h) in pairs {
        let (before, after) = (b.map(|c| c.state), h.map(|c| c.state));
        let Some(named) = h.or(b) else { continue };
        let change = CheckChange {
            id: named.id.clone(),
            title: named.title.clone(),
            before,
            after,
            nodes: node_changes(b, h),
        };
        let list = match (failing(before), failing(after)) {
            (false, true) => &mut out.new_failures,
            (true, true) => &mut out.still_failing,
            (true, false) if after == Some(State::Pass) => &mut out.fixed,
            _ if before != after => &mut out.changed,
            _ => continue,
        };
        list.push(change);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::NodeResult;

    fn check(id: &str, state: State) -> CheckResult {
        CheckResult {
            title: format!("check {id}"),
            rule: id.into(),
            nodes: vec![NodeResult {
                node: "cp-1".into(),
                state,
                actual: String::new(),
                expected: String::new(),
                source: String::new(),
                reason: None,
                audit: String::new(),
            }],
            ..CheckResult::sample(id, state)
        }
    }

    fn ids(l: &[CheckChange]) -> Vec<&str> {
        l.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn checks_are_sorted_by_how_their_state_moved() {
        let base = [
            check("a", State::Pass),
            check("b", State::Fail),
            check("c", State::Fail),
            check("d", State::Fail),
            check("e", State::Pass),
            check("gone", State::Pass),
        ];
        let head = [
            check("a", State::Fail),
            check("b", State::Pass),
            check("c", State::Error),
            check("d", State::Skip),
            check("e", State::Pass),
            check("new", State::Warn),
        ];
        let c = compare(&base, &head);
        assert_eq!(ids(&c.new_failures), ["a"]);
        assert_eq!(ids(&c.fixed), ["b"]);
        assert_eq!(ids(&c.still_failing), ["c"]);
        assert_eq!(ids(&c.changed), ["d", "new", "gone"]);
        assert_eq!(
            c.changed[0].nodes,
            [NodeChange {
                node: "cp-1".into(),
                before: Some(State::Fail),
                after: Some(State::Skip)
            }]
        );
        assert_eq!(c.changed[2].after, None);
    }
}
