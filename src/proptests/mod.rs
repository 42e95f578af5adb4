//! Property tests of every parser of outside input: arbitrary text and
//! near-valid documents (valid ones with random parts replaced, removed,
//! truncated) must give a value or a crate [`crate::Error`] with a message,
//! never a panic. Cases: proptest's default (256) or `PROPTEST_CASES`; the
//! documented run is `PROPTEST_CASES=10000 cargo test --lib proptest`.
//!
//! Random strings rarely get past a parser's first byte, so most generators
//! here start from the project's own valid documents and break them a little.

mod content;
mod cron;
mod definitions;
mod facts;
mod graphql_nesting;
mod node_results;
mod snapshot;

use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value, up to a few levels deep, biased towards values that
/// parsers trip over (negative and huge numbers, empty and odd strings).
pub fn arb_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        prop_oneof![
            Just(String::new()),
            Just("-1".to_string()),
            Just("0777".to_string()),
            Just("1.30.4".to_string()),
            Just("--flag=".to_string()),
            ".{0,16}",
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// One change to a JSON document; `at` picks a node (modulo the node count).
#[derive(Debug, Clone)]
pub enum Edit {
    Replace(usize, Value),
    Remove(usize),
    AddKey(usize, String, Value),
}

/// One random edit of a JSON document.
pub fn arb_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), arb_json()).prop_map(|(a, v)| Edit::Replace(a, v)),
        any::<usize>().prop_map(Edit::Remove),
        (any::<usize>(), "[a-zA-Z]{1,12}", arb_json()).prop_map(|(a, k, v)| Edit::AddKey(a, k, v)),
    ]
}

/// JSON pointers of every node of `doc`, the root first.
fn pointers(doc: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match doc {
        Value::Object(m) => {
            for (k, v) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{here}/{key}"), out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Applies `edits` to `doc`, each at a node chosen among those present then.
pub fn apply(mut doc: Value, edits: &[Edit]) -> Value {
    for edit in edits {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let pick = |at: usize| all[at % all.len()].clone();
        match edit {
            Edit::Replace(at, v) => {
                if let Some(slot) = doc.pointer_mut(&pick(*at)) {
                    *slot = v.clone();
                }
            }
            Edit::Remove(at) => {
                let p = pick(*at);
                if let Some((parent, last)) = p.rsplit_once('/') {
                    match doc.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(i) = last.parse::<usize>() {
                                if i < a.len() {
                                    a.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Edit::AddKey(at, k, v) => {
                if let Some(Value::Object(m)) = doc.pointer_mut(&pick(*at)) {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
    }
    doc
}

/// `doc` with one to four random edits.
pub fn arb_mutated(doc: Value) -> impl Strategy<Value = Value> {
    prop::collection::vec(arb_edit(), 1..5).prop_map(move |edits| apply(doc.clone(), &edits))
}

/// `text` broken at the character level: cut short, a piece removed, or
/// random text (or a run of brackets, for parsers that recurse) inserted.
pub fn arb_text_edit(text: &'static str) -> impl Strategy<Value = String> {
    let len = text.chars().count();
    let insert = prop_oneof![
        ".{0,12}",
        Just("\n".to_string()),
        Just(": ".to_string()),
        Just("- ".to_string()),
        Just("\t".to_string()),
        (1usize..20_000).prop_map(|n| "[".repeat(n)),
        (1usize..20_000).prop_map(|n| "{a: ".repeat(n)),
        (1usize..5_000).prop_map(|n| "- ".repeat(n)),
        Just("&a [*a, *a]".to_string()),
        Just("!!binary".to_string()),
    ];
    (0..=len, 0..=len, insert, 0u8..3).prop_map(move |(a, b, ins, how)| {
        let chars: Vec<char> = text.chars().collect();
        let (lo, hi) = (a.min(b), a.max(b));
        match how {
            0 => chars[..lo].iter().collect(),
            1 => chars[..lo].iter().chain(&chars[hi..]).collect(),
            _ => {
                let mut s: String = chars[..lo].iter().collect();
                s.push_str(&ins);
                s.extend(&chars[lo..]);
                s
            }
        }
    })
}

/// Checks the one property every parser here must have: an error, when there
/// is one, says something.
pub fn assert_clear<T, E: std::fmt::Display + std::fmt::Debug>(r: &Result<T, E>) {
    if let Err(e) = r {
        assert!(
            !e.to_string().trim().is_empty(),
            "an error without a message: {e:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_replace_remove_and_add_where_they_point() {
        let doc = json!({ "a": [1, 2], "b": { "c": true } });
        // nodes: "", /a, /a/0, /a/1, /b, /b/c
        assert_eq!(
            apply(doc.clone(), &[Edit::Replace(2, json!("x"))])["a"][0],
            "x"
        );
        assert_eq!(
            apply(doc.clone(), &[Edit::Remove(1)]),
            json!({ "b": { "c": true } })
        );
        assert_eq!(
            apply(doc, &[Edit::AddKey(4, "d".into(), json!(null))])["b"]["d"],
            json!(null)
        );
    }
}
