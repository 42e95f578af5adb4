//! Which checks of a saved report a reader asks for, and in what order: the
//! filters, search and orders that the API's `results` and the web UI's report
//! page page through, so a 1,000-node report is never sent whole.

use crate::engine::benchmark::grouping::{self, is_within, SectionGroup};
use crate::engine::benchmark::Section;
use crate::engine::report::{CheckResult, State};

/// Longest search text accepted: ids and descriptions are far shorter.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Which checks of a report to answer; empty parts match everything.
#[derive(Debug, Clone, Default)]
pub struct CheckFilter {
    pub states: Vec<State>,
    /// A section ("2" matches every 2.x check) or a check id prefix ("1.2" matches 1.2.x).
    pub section: Option<String>,
    /// Only checks with a result on this node.
    pub node: Option<String>,
    /// Text the check's id starts with or its description contains, any case;
    /// trimmed and lowercased once by [`CheckFilter::search_text`].
    pub search: Option<String>,
}

impl CheckFilter {
    /// A search as the filter holds it: trimmed, lowercased, None when blank.
    pub fn search_text(query: Option<&str>) -> Option<String> {
        query
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty())
    }

    /// True when the check passes every part of the filter.
    pub fn admits(&self, c: &CheckResult) -> bool {
        (self.states.is_empty() || self.states.contains(&c.state))
            && self
                .section
                .as_deref()
                .is_none_or(|s| c.section == s || is_within(&c.id, s))
            && self
                .node
                .as_deref()
                .is_none_or(|n| c.nodes.iter().any(|r| r.node == n))
            && self.search.as_deref().is_none_or(|q| matches_search(c, q))
    }
}

/// True when the id starts with the (lowercased) text or the description contains it, any case.
fn matches_search(c: &CheckResult, q: &str) -> bool {
    c.id.starts_with(q) || c.title.to_lowercase().contains(q)
}

/// The order `results` answers in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, async_graphql::Enum)]
pub enum ResultOrder {
    /// The benchmark's own order.
    #[default]
    Benchmark,
    /// FAIL, ERROR, WARN, SKIP, PASS, NOT_APPLICABLE; benchmark order within each.
    WorstFirst,
}

/// How bad a state is, worst lowest: the order of `ResultOrder::WorstFirst`.
pub fn severity_rank(s: State) -> u8 {
    match s {
        State::Fail => 0,
        State::Error => 1,
        State::Warn => 2,
        State::Skip => 3,
        State::Pass => 4,
        State::NotApplicable => 5,
    }
}

/// Indexes of the admitted checks in the asked order (a stable sort keeps benchmark order within a state).
pub fn ordered(checks: &[CheckResult], filter: &CheckFilter, order: ResultOrder) -> Vec<usize> {
    let mut admitted: Vec<usize> = (0..checks.len())
        .filter(|&i| filter.admits(&checks[i]))
        .collect();
    if order == ResultOrder::WorstFirst {
        admitted.sort_by_key(|&i| severity_rank(checks[i].state));
    }
    admitted
}

/// The report's sections as its benchmark declares them (`declared`: "2 Etcd Node
/// Configuration", "1.2 API Server"), in benchmark order, with how many checks each
/// holds; without the benchmark's sections, second-level prefixes without titles.
pub fn sections(checks: &[CheckResult], declared: Option<&[Section]>) -> Vec<SectionGroup> {
    grouping::group(declared, checks.iter().map(|c| c.id.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::report::NodeResult;

    fn check(id: &str, state: State, nodes: &[&str]) -> CheckResult {
        CheckResult {
            title: "Ensure that the --anonymous-auth argument is set to false".into(),
            target: "node".into(),
            nodes: nodes
                .iter()
                .map(|n| NodeResult {
                    node: n.to_string(),
                    state,
                    actual: String::new(),
                    expected: String::new(),
                    source: String::new(),
                    reason: None,
                    audit: String::new(),
                })
                .collect(),
            ..CheckResult::sample(id, state)
        }
    }

    #[test]
    fn section_filter_matches_the_section_and_id_prefixes_at_dots_only() {
        let f = CheckFilter {
            section: Some("1.2".into()),
            ..Default::default()
        };
        assert!(f.admits(&check("1.2.16", State::Pass, &[])));
        assert!(!f.admits(&check("1.21.1", State::Pass, &[])));
        assert!(!f.admits(&check("1.3.1", State::Pass, &[])));
    }

    #[test]
    fn node_filter_keeps_only_checks_with_a_result_on_that_node() {
        let f = CheckFilter {
            node: Some("w-1".into()),
            ..Default::default()
        };
        assert!(f.admits(&check("4.1.1", State::Fail, &["cp-1", "w-1"])));
        assert!(!f.admits(&check("1.1.1", State::Fail, &["cp-1"])));
        assert!(!f.admits(&check("5.1.1", State::Warn, &[])));
    }

    #[test]
    fn search_matches_an_id_prefix_or_description_text_in_any_case() {
        let f = |q: &str| CheckFilter {
            search: CheckFilter::search_text(Some(q)),
            ..Default::default()
        };
        let c = check("1.2.16", State::Fail, &[]);
        assert!(f("1.2.1").admits(&c));
        assert!(f("ANONYMOUS-auth").admits(&c));
        assert!(f("  ").admits(&c));
        assert!(!f("2.16").admits(&c));
        assert!(!f("etcd").admits(&c));
    }

    #[test]
    fn worst_first_puts_failures_first_and_keeps_benchmark_order_within_a_state() {
        let checks = vec![
            check("1.1.1", State::Pass, &[]),
            check("1.1.2", State::Fail, &[]),
            check("1.1.3", State::NotApplicable, &[]),
            check("1.1.4", State::Warn, &[]),
            check("1.1.5", State::Fail, &[]),
            check("1.1.6", State::Error, &[]),
        ];
        let order = ordered(&checks, &CheckFilter::default(), ResultOrder::WorstFirst);
        let ids: Vec<&str> = order.iter().map(|&i| checks[i].id.as_str()).collect();
        assert_eq!(ids, ["1.1.2", "1.1.5", "1.1.6", "1.1.4", "1.1.1", "1.1.3"]);
    }

    #[test]
    fn a_top_level_section_matches_every_check_under_it() {
        let f = CheckFilter {
            section: Some("2".into()),
            ..Default::default()
        };
        assert!(f.admits(&check("2.1", State::Pass, &[])));
        assert!(f.admits(&check("2.7", State::Pass, &[])));
        assert!(!f.admits(&check("1.2.1", State::Pass, &[])));
    }

    #[test]
    fn sections_follow_the_declared_ones_with_titles() {
        let declared = [Section {
            id: "2".into(),
            title: "Etcd Node Configuration".into(),
        }];
        let checks = vec![
            check("1.1.1", State::Pass, &[]),
            check("2.1", State::Pass, &[]),
            check("2.2", State::Pass, &[]),
        ];
        let got = sections(&checks, Some(&declared));
        assert_eq!(got[0].id, "1.1");
        assert_eq!(
            (got[1].id.as_str(), got[1].title.as_str(), got[1].checks),
            ("2", "Etcd Node Configuration", 2)
        );
        assert_eq!(sections(&checks, None).len(), 3);
    }
}
