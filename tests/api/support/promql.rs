//! Just enough of the Prometheus text format and of PromQL to compare what the
//! rules and the dashboard ask for with what /metrics exposes: the names of series
//! with their label names, and the metric names and label names an expression uses.

use std::collections::{BTreeMap, BTreeSet};

/// Series names of an exposition, each with the label names its samples carry.
pub type Exposed = BTreeMap<String, BTreeSet<String>>;

/// The series of a text exposition (`name{labels} value` lines), by exact name
/// (`_bucket`, `_sum`, `_count` included); a name whose samples carry different
/// label sets gets the union.
pub fn exposition(text: &str) -> Exposed {
    let mut out = Exposed::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (name, labels) = series(line);
        out.entry(name).or_default().extend(labels);
    }
    out
}

/// A series written as `name{a="x",b="y"}` (a sample line or a promtool input series):
/// its name and label names. Label values may hold escaped quotes and commas.
pub fn series(text: &str) -> (String, BTreeSet<String>) {
    let end = text
        .find(|c: char| c == '{' || c.is_whitespace())
        .unwrap_or(text.len());
    let name = text[..end].to_string();
    let labels = match text[end..].strip_prefix('{') {
        Some(inner) => matchers(inner).0,
        None => BTreeSet::new(),
    };
    (name, labels)
}

/// The label names of a matcher (or label) list that `s` starts just inside of,
/// and the text after its closing brace.
fn matchers(mut s: &str) -> (BTreeSet<String>, &str) {
    let mut labels = BTreeSet::new();
    loop {
        s = s.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if let Some(after) = s.strip_prefix('}') {
            return (labels, after);
        }
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        if end == 0 {
            return (labels, "");
        }
        labels.insert(s[..end].to_string());
        s = s[end..]
            .trim_start()
            .trim_start_matches(['=', '!', '~'])
            .trim_start();
        s = skip_string(s);
    }
}

/// The text after a leading quoted string (double, single or back quotes).
fn skip_string(s: &str) -> &str {
    let mut chars = s.char_indices();
    let Some((_, quote)) = chars.next() else {
        return s;
    };
    let mut escaped = false;
    for (i, c) in chars {
        match c {
            '\\' if quote != '`' && !escaped => escaped = true,
            c if c == quote && !escaped => return &s[i + c.len_utf8()..],
            _ => escaped = false,
        }
    }
    ""
}

/// Words of PromQL that are not metric names even when no `(` follows them.
const KEYWORDS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
    "and",
    "or",
    "unless",
    "atan2",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "inf",
    "nan",
];

/// Clauses whose parenthesised list names labels.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// What one expression uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// Each metric named, with the label names its selectors match on.
    pub metrics: BTreeMap<String, BTreeSet<String>>,
    /// Label names of by/without/on/ignoring/group_* lists.
    pub grouping: BTreeSet<String>,
}

/// The metric names and labels of a PromQL expression. Strings, durations in
/// brackets and numbers are skipped; an identifier followed by `(` is a function
/// or aggregation; keywords are not metrics.
pub fn uses(expr: &str) -> Uses {
    let mut out = Uses::default();
    let mut rest = expr;
    let mut last_ident: Option<String> = None;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if c == '"' || c == '\'' || c == '`' {
            rest = skip_string(rest);
        } else if c == '[' {
            rest = rest.find(']').map_or("", |i| &rest[i + 1..]);
        } else if c == '{' {
            let (labels, after) = matchers(&rest[1..]);
            let metric = last_ident.take().unwrap_or_default();
            out.metrics.entry(metric).or_default().extend(labels);
            rest = after;
        } else if c.is_ascii_digit() || c == '.' {
            let end = rest
                .find(|d: char| !(d.is_ascii_alphanumeric() || d == '.'))
                .unwrap_or(rest.len());
            rest = &rest[end..];
            last_ident = None;
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let end = rest
                .find(|d: char| !(d.is_ascii_alphanumeric() || d == '_' || d == ':'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            rest = &rest[end..];
            let next = rest.trim_start();
            if LABEL_LISTS.contains(&word) && next.starts_with('(') {
                let close = next.find(')').unwrap_or(next.len());
                out.grouping.extend(
                    next[1..close]
                        .split(',')
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from),
                );
                rest = next.get(close + 1..).unwrap_or("");
                last_ident = None;
            } else if next.starts_with('(') || KEYWORDS.contains(&word) {
                last_ident = None;
            } else {
                out.metrics.entry(word.to_string()).or_default();
                last_ident = Some(word.to_string());
            }
        } else {
            rest = &rest[c.len_utf8()..];
            last_ident = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_functions_and_groupings_are_told_apart() {
        let u = uses(
            r#"histogram_quantile(0.95, sum by (le, cluster_name) (rate(x_bucket{cluster_name=~"$c", a!="}"}[5m]))) > on (cluster_name) group_left max without(b) (y) or vector(1) and z offset 5m"#,
        );
        let names: Vec<&str> = u.metrics.keys().map(String::as_str).collect();
        assert_eq!(names, ["x_bucket", "y", "z"]);
        assert_eq!(
            u.metrics["x_bucket"],
            BTreeSet::from(["a".into(), "cluster_name".into()])
        );
        let grouping: Vec<&str> = u.grouping.iter().map(String::as_str).collect();
        assert_eq!(grouping, ["b", "cluster_name", "le"]);
    }

    #[test]
    fn exposition_lines_give_names_and_labels() {
        let e = exposition("# HELP a x\na{l=\"v,\\\"w=\",m=\"\"} 1\na{n=\"1\"} 2\nb 3\n");
        assert_eq!(e["a"], BTreeSet::from(["l".into(), "m".into(), "n".into()]));
        assert!(e["b"].is_empty());
    }
}
