//! Value comparisons used by benchmark conditions. Values are compared the way
//! Kubernetes components read them: booleans case-insensitively, numbers as
//! numbers, durations ("5m", "4h0m0s", "0") as lengths of time, lists split on commas.

use crate::engine::benchmark::ValueOp;

/// Normalises a scalar: trims quotes and spaces, lowercases booleans.
pub fn norm(v: &str) -> String {
    let t = v.trim().trim_matches(|c| c == '"' || c == '\'');
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        t.to_ascii_lowercase()
    } else {
        t.to_string()
    }
}

/// Parses a Go duration ("1h2m3.5s", "300ms", "0") into seconds.
pub fn parse_duration(v: &str) -> Option<f64> {
    let s = v.trim();
    if s == "0" {
        return Some(0.0);
    }
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    Some(if neg { -total } else { total })
}

/// True when two scalars mean the same value.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (norm(a), norm(b));
    if a == b {
        return true;
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x == y;
    }
    matches!((parse_duration(&a), parse_duration(&b)), (Some(x), Some(y)) if x == y)
}

/// Splits a comma-separated list, dropping empty items.
pub fn items(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Applies `op` to a value that was found (`explicit` says whether it was
/// given rather than defaulted). `None` means the setting has no value at all.
/// An empty value (`--client-ca-file=`, `clientCAFile: ""`) is not set: the
/// component reads it as "none", so "is set" must not pass on it.
pub fn apply(op: &ValueOp, value: Option<&str>, explicit: bool) -> bool {
    let given = explicit && value.is_some_and(|v| !norm(v).is_empty());
    match op {
        ValueOp::Set => given,
        ValueOp::Unset => !given,
        ValueOp::Eq(want) => value.is_some_and(|v| same(v, want)),
        ValueOp::Ne(not) => value.is_none_or(|v| !same(v, not)),
        ValueOp::Gte(n) => value.and_then(number).is_some_and(|v| v >= *n),
        ValueOp::Lte(n) => value.and_then(number).is_some_and(|v| v <= *n),
        ValueOp::Has(item) => value.is_some_and(|v| items(v).any(|i| i == item)),
        ValueOp::Lacks(item) => value.is_none_or(|v| items(v).all(|i| i != item)),
        ValueOp::Only(allowed) => value.is_some_and(|v| {
            let mut it = items(v).peekable();
            it.peek().is_some() && it.all(|i| allowed.iter().any(|a| a == i))
        }),
        ValueOp::StartsWith(prefixes) => {
            value.is_some_and(|v| prefixes.iter().any(|p| norm(v).starts_with(p.as_str())))
        }
    }
}

fn number(v: &str) -> Option<f64> {
    norm(v).parse().ok()
}

/// The condition in words, for the report's "expected" column.
pub fn describe(name: &str, op: &ValueOp) -> String {
    match op {
        ValueOp::Set => format!("{name} is set"),
        ValueOp::Unset => format!("{name} is not set"),
        ValueOp::Eq(v) => format!("{name} is {v}"),
        ValueOp::Ne(v) => format!("{name} is not {v}"),
        ValueOp::Gte(n) => format!("{name} is at least {n}"),
        ValueOp::Lte(n) => format!("{name} is at most {n}"),
        ValueOp::Has(i) => format!("{name} includes {i}"),
        ValueOp::Lacks(i) => format!("{name} does not include {i}"),
        ValueOp::Only(a) => format!("{name} lists only: {}", a.join(", ")),
        ValueOp::StartsWith(p) => format!("{name} starts with {}", p.join(" or ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(op: ValueOp, v: Option<&str>) -> bool {
        apply(&op, v, v.is_some())
    }

    #[test]
    fn equality_is_case_number_and_duration_aware() {
        assert!(ok(ValueOp::Eq("false".into()), Some("False")));
        assert!(ok(ValueOp::Eq("0".into()), Some("0")));
        assert!(ok(ValueOp::Eq("30".into()), Some("30.0")));
        assert!(ok(ValueOp::Eq("127.0.0.1".into()), Some("127.0.0.1")));
        assert!(!ok(ValueOp::Eq("false".into()), Some("true")));
        assert!(
            !ok(ValueOp::Eq("false".into()), None),
            "absent is not equal"
        );
        assert!(ok(ValueOp::Ne("0".into()), Some("4h0m0s")));
        assert!(!ok(ValueOp::Ne("0".into()), Some("0s")), "0s is 0");
        assert!(ok(ValueOp::Ne("true".into()), None), "absent is not true");
    }

    #[test]
    fn present_and_absent_count_explicit_values_only() {
        assert!(apply(&ValueOp::Set, Some("x"), true));
        assert!(
            !apply(&ValueOp::Set, Some("x"), false),
            "a default is not set"
        );
        assert!(!apply(&ValueOp::Set, None, false));
        assert!(apply(&ValueOp::Unset, None, false));
        assert!(apply(&ValueOp::Unset, Some("default"), false));
        assert!(
            apply(&ValueOp::Unset, Some(""), true),
            "set to empty is not set"
        );
    }

    #[test]
    fn an_empty_value_is_not_set() {
        for empty in ["", "  ", "\"\"", "''"] {
            assert!(!apply(&ValueOp::Set, Some(empty), true), "{empty:?}");
            assert!(apply(&ValueOp::Unset, Some(empty), true), "{empty:?}");
        }
        assert!(apply(
            &ValueOp::Set,
            Some("/etc/kubernetes/pki/ca.crt"),
            true
        ));
    }

    #[test]
    fn numeric_bounds() {
        assert!(ok(ValueOp::Gte(30.0), Some("30")));
        assert!(ok(ValueOp::Gte(30.0), Some("365")));
        assert!(!ok(ValueOp::Gte(30.0), Some("7")));
        assert!(
            !ok(ValueOp::Gte(30.0), Some("thirty")),
            "not a number fails"
        );
        assert!(!ok(ValueOp::Gte(0.0), None));
        assert!(ok(ValueOp::Lte(5.0), Some("5")));
        assert!(!ok(ValueOp::Lte(5.0), Some("6")));
    }

    #[test]
    fn list_contains_and_does_not_contain() {
        assert!(ok(ValueOp::Has("RBAC".into()), Some("Node,RBAC")));
        assert!(ok(ValueOp::Has("RBAC".into()), Some("Node, RBAC")));
        assert!(
            !ok(ValueOp::Has("RBAC".into()), Some("Node,RBACX")),
            "whole items only"
        );
        assert!(!ok(ValueOp::Has("RBAC".into()), None));
        assert!(ok(ValueOp::Lacks("AlwaysAllow".into()), Some("Node,RBAC")));
        assert!(!ok(
            ValueOp::Lacks("AlwaysAllow".into()),
            Some("AlwaysAllow")
        ));
        assert!(ok(ValueOp::Lacks("AlwaysAllow".into()), None));
    }

    #[test]
    fn allowed_elements_of_a_list() {
        let allowed = ValueOp::Only(vec!["A".into(), "B".into()]);
        assert!(ok(allowed.clone(), Some("A,B")));
        assert!(ok(allowed.clone(), Some("B")));
        assert!(!ok(allowed.clone(), Some("A,C")));
        assert!(
            !ok(allowed.clone(), Some("")),
            "an empty list allows the built-in defaults"
        );
        assert!(!ok(allowed, None));
    }

    #[test]
    fn prefixes() {
        let op = ValueOp::StartsWith(vec!["127.0.0.1:".into()]);
        assert!(ok(op.clone(), Some("127.0.0.1:10249")));
        assert!(!ok(op, Some("0.0.0.0:10249")));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("4h0m0s"), Some(14400.0));
        assert_eq!(parse_duration("5m"), Some(300.0));
        assert_eq!(parse_duration("1.5s"), Some(1.5));
        assert_eq!(parse_duration("300ms"), Some(0.3));
        assert_eq!(parse_duration("0"), Some(0.0));
        assert_eq!(parse_duration("five"), None);
        assert_eq!(parse_duration("5x"), None);
    }
}
