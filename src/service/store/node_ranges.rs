//! Lists of indices as text ranges, "0-2,5,7-9": the node lists of a stored check
//! (see `node_codec`), where the nodes sharing a result are mostly runs.

use std::fmt::Write;

/// `xs` as comma-separated runs: ascending runs of consecutive numbers as "a-b",
/// anything else number by number, so any list (repeats, any order) round-trips.
pub fn ranges(xs: &[usize]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < xs.len() {
        let start = xs[i];
        let mut end = start;
        while i + 1 < xs.len() && end.checked_add(1) == Some(xs[i + 1]) {
            end += 1;
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        // writing to a String cannot fail
        let _ = if end == start {
            write!(out, "{start}")
        } else {
            write!(out, "{start}-{end}")
        };
        i += 1;
    }
    out
}

/// Parsed ranges, each checked to lie below a limit.
#[derive(Debug)]
pub struct Ranges(Vec<(usize, usize)>);

impl Ranges {
    /// Parses what [`ranges`] wrote; every number must be below `limit`.
    pub fn parse(text: &str, limit: usize) -> Result<Self, String> {
        if text.is_empty() {
            return Ok(Ranges(Vec::new()));
        }
        let number = |s: &str| -> Result<usize, String> {
            let n = (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<usize>().ok())
                .flatten()
                .ok_or_else(|| format!("'{}' is not a node index", clip(s)))?;
            if n >= limit {
                return Err(format!("node index {n} is out of range (< {limit})"));
            }
            Ok(n)
        };
        let mut runs = Vec::new();
        for part in text.split(',') {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => {
                    let a = number(part)?;
                    (a, a)
                }
            };
            if a > b {
                return Err(format!("node range {a}-{b} runs backwards"));
            }
            runs.push((a, b));
        }
        Ok(Ranges(runs))
    }

    /// The numbers, run by run.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().flat_map(|&(a, b)| a..=b)
    }

    /// The numbers, or an error when there are more than `max`.
    pub fn collect_at_most(&self, max: usize) -> Result<Vec<usize>, String> {
        let mut count = 0usize;
        for &(a, b) in &self.0 {
            count = count.saturating_add(b - a + 1);
        }
        if count > max {
            return Err(format!("{count} node results: more than {max}"));
        }
        Ok(self.iter().collect())
    }
}

/// At most 20 characters of `s`, for an error message.
fn clip(s: &str) -> String {
    s.chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_written_as_ranges_and_the_rest_one_by_one() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8, 9]), "0-2,5,7-9");
        assert_eq!(ranges(&[3, 2, 2, 1]), "3,2,2,1");
    }

    #[test]
    fn what_is_written_is_read_back() {
        for xs in [
            vec![],
            vec![0],
            vec![0, 1, 2, 5, 7, 8, 9],
            vec![4, 3, 3, 0, 1],
        ] {
            let text = ranges(&xs);
            let back: Vec<usize> = Ranges::parse(&text, 10).unwrap().iter().collect();
            assert_eq!(back, xs, "{text}");
        }
    }

    #[test]
    fn text_that_is_not_ranges_below_the_limit_is_refused() {
        for (text, says) in [
            ("0-10", "out of range"),
            ("a", "not a node index"),
            ("+1", "not a node index"),
            ("1,", "not a node index"),
            ("1--2", "not a node index"),
            ("3-1", "backwards"),
            ("99999999999999999999999", "not a node index"),
        ] {
            let e = Ranges::parse(text, 10).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn a_list_longer_than_allowed_is_an_error_not_an_allocation() {
        let r = Ranges::parse("0-9,0-9", 10).unwrap();
        assert_eq!(r.collect_at_most(20).unwrap().len(), 20);
        assert!(r.collect_at_most(19).unwrap_err().contains("more than 19"));
    }
}
