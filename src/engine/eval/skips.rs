//! Applying the user's skips to results: a covered node's
//! non-applicable result stays as it is, any other becomes SKIP with the
//! reason, who and when. Reports whether a skip hid a non-passing result, so
//! the service can tell used skips from unused ones.

use super::Outcome;
use crate::engine::report::{NodeResult, Skip, State};

/// The reason text of a skipped result: "skipped: why (by who at when)".
pub fn skip_reason(s: &Skip) -> String {
    let mut r = format!(
        "skipped: {}",
        s.reason.as_deref().unwrap_or("no reason given")
    );
    if let Some(by) = &s.by {
        r.push_str(&format!(" (by {by}"));
        if let Some(at) = &s.at {
            r.push_str(&format!(" at {at}"));
        }
        r.push(')');
    }
    r
}

/// Applies `skip` to one node's outcome when it covers the node; true when
/// that turned a FAIL, WARN or ERROR into SKIP.
pub fn apply(node: &str, o: &mut Outcome, skip: Option<&Skip>) -> bool {
    let Some(s) = skip.filter(|s| s.covers(node)) else {
        return false;
    };
    if o.state == State::NotApplicable {
        return false;
    }
    let hid = matches!(o.state, State::Fail | State::Warn | State::Error);
    o.reason = Some(skip_reason(s));
    o.state = State::Skip;
    hid
}

/// The check's own reason for a skip: a skip of every node says it always
/// (as before node scopes); a node-scoped one only when it made the whole
/// check SKIP, else only the covered nodes carry it.
pub fn check_reason(skip: Option<&Skip>, nodes: &[NodeResult], state: State) -> Option<String> {
    let s = skip?;
    if s.nodes.is_empty() {
        return Some(skip_reason(s));
    }
    let covered: Vec<&str> = nodes
        .iter()
        .filter(|n| n.state == State::Skip && s.covers(&n.node))
        .map(|n| n.node.as_str())
        .collect();
    (state == State::Skip && !covered.is_empty())
        .then(|| format!("{} on {}", skip_reason(s), covered.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(nodes: &[&str]) -> Skip {
        Skip {
            id: "1.1".into(),
            reason: Some("accepted".into()),
            by: Some("admin".into()),
            at: None,
            nodes: nodes.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn outcome(state: State) -> Outcome {
        Outcome::new(state, "a", "e", "s")
    }

    fn node(name: &str, state: State) -> NodeResult {
        NodeResult {
            node: name.into(),
            state,
            actual: String::new(),
            expected: String::new(),
            source: String::new(),
            reason: None,
            audit: String::new(),
        }
    }

    #[test]
    fn a_skip_of_every_node_turns_a_failure_into_skip_and_says_it_hid_one() {
        let mut o = outcome(State::Fail);
        assert!(apply("cp", &mut o, Some(&skip(&[]))));
        assert_eq!(o.state, State::Skip);
        assert_eq!(o.reason.as_deref(), Some("skipped: accepted (by admin)"));
    }

    #[test]
    fn a_node_scoped_skip_leaves_other_nodes_alone() {
        let mut o = outcome(State::Fail);
        assert!(!apply("worker", &mut o, Some(&skip(&["cp"]))));
        assert_eq!(o.state, State::Fail);
    }

    #[test]
    fn a_skipped_pass_is_skip_but_hid_nothing() {
        let mut o = outcome(State::Pass);
        assert!(!apply("cp", &mut o, Some(&skip(&["cp"]))));
        assert_eq!(o.state, State::Skip);
    }

    #[test]
    fn not_applicable_stays_not_applicable_under_a_skip() {
        let mut o = outcome(State::NotApplicable);
        assert!(!apply("cp", &mut o, Some(&skip(&[]))));
        assert_eq!(o.state, State::NotApplicable);
    }

    #[test]
    fn a_node_scoped_skip_names_its_nodes_only_when_the_check_is_skip() {
        let s = skip(&["cp"]);
        let nodes = [node("cp", State::Skip), node("w", State::Pass)];
        let r = check_reason(Some(&s), &nodes, State::Skip).unwrap();
        assert!(r.ends_with("(by admin) on cp"), "{r}");
        let failing = [node("cp", State::Skip), node("w", State::Fail)];
        assert_eq!(check_reason(Some(&s), &failing, State::Fail), None);
    }

    #[test]
    fn a_skip_of_every_node_always_gives_the_check_its_reason() {
        let r = check_reason(Some(&skip(&[])), &[], State::NotApplicable);
        assert_eq!(r.as_deref(), Some("skipped: accepted (by admin)"));
    }
}
