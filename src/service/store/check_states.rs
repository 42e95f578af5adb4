//! The compact form of a report's check states kept on its header row
//! (`reports.check_states`): a JSON array of `[check id, state]` pairs in
//! benchmark order. About 2 KB for 130 checks, it lets the fleet view read one
//! value per cluster instead of every check row with its evidence.

use crate::engine::report::{CheckResult, State};

/// The stored form of these results' states.
pub fn encode(results: &[CheckResult]) -> String {
    encode_pairs(results.iter().map(|c| (c.id.as_str(), c.state.as_str())))
}

/// The stored form of (check id, state name) pairs, as check rows hold them.
pub fn encode_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let pairs: Vec<(&str, &str)> = pairs.collect();
    serde_json::to_string(&pairs).unwrap_or_default()
}

/// The states back, in benchmark order; None when the value is not what
/// `encode` writes (the caller then reads the report's check rows instead).
pub fn decode(stored: &str) -> Option<Vec<(String, State)>> {
    let pairs: Vec<(String, String)> = serde_json::from_str(stored).ok()?;
    pairs
        .into_iter()
        .map(|(id, s)| State::parse(&s).map(|state| (id, state)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_come_back_in_benchmark_order() {
        let stored = encode(&[
            CheckResult::sample("1.1.2", State::Fail),
            CheckResult::sample("1.1.1", State::NotApplicable),
        ]);
        assert_eq!(
            decode(&stored).unwrap(),
            vec![
                ("1.1.2".to_string(), State::Fail),
                ("1.1.1".to_string(), State::NotApplicable)
            ]
        );
    }

    #[test]
    fn a_value_not_written_by_encode_is_none() {
        assert!(decode("not json").is_none());
        assert!(decode(r#"[["1.1.1","BROKEN"]]"#).is_none());
    }
}
