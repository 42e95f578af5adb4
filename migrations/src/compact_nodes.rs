//! The conversion of a check's stored node results between format 1 (a JSON
//! array of results, each with its `node`) and format 2 (each distinct result
//! once, with the positions of the nodes sharing it; node names as indices into
//! the report's node list), for the migration `m20261206_000140`.
//!
//! It works on JSON values, not on the service's types, so that it keeps every
//! field as it was stored and keeps converting what this migration found even
//! when the service's format moves on. The service's own codec
//! (`cis_scan::service::store::node_codec`) writes and reads the same format 2;
//! its property tests hold the two to each other.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// A format 1 text in format 2, node names as indices into `names` (the report's
/// node list); `None` when the text is not format 1 (already converted, or not
/// something format 1 can read), which is then left as it is.
pub fn to_v2(text: &str, names: &[String]) -> Option<String> {
    if !text.trim_start().starts_with('[') {
        return None;
    }
    let items: Vec<Map<String, Value>> = serde_json::from_str(text).ok()?;
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        index.entry(n.as_str()).or_insert(i);
    }
    let (mut extra, mut order) = (Vec::<String>::new(), Vec::with_capacity(items.len()));
    let mut extra_at: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<(Map<String, Value>, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for (pos, mut item) in items.into_iter().enumerate() {
        let Value::String(node) = item.remove("node")? else {
            return None;
        };
        let i = match index.get(node.as_str()) {
            Some(&i) => i,
            None => *extra_at.entry(node).or_insert_with_key(|node| {
                extra.push(node.clone());
                names.len() + extra.len() - 1
            }),
        };
        order.push(i);
        let key = serde_json::to_string(&item).ok()?;
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push((item, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(pos);
    }
    let g: Vec<Value> = groups
        .into_iter()
        .map(|(r, at)| json!({ "at": ranges(&at), "r": r }))
        .collect();
    let mut out = json!({ "v": 2, "n": ranges(&order), "g": g });
    if !extra.is_empty() {
        out["x"] = json!(extra);
    }
    serde_json::to_string(&out).ok()
}

/// A format 2 text back in format 1 (for `down`); `None` when it is not format 2
/// or does not hold together, which is then left as it is.
pub fn to_v1(text: &str, names: &[String]) -> Option<String> {
    let c: Value = serde_json::from_str(text).ok()?;
    if c.get("v")?.as_u64()? != 2 {
        return None;
    }
    let extra: Vec<String> = match c.get("x") {
        Some(x) => serde_json::from_value(x.clone()).ok()?,
        None => Vec::new(),
    };
    let order = parse_ranges(c.get("n")?.as_str()?, names.len() + extra.len())?;
    let mut at: Vec<Option<&Map<String, Value>>> = vec![None; order.len()];
    for g in c.get("g")?.as_array()? {
        let r = g.get("r")?.as_object()?;
        for pos in parse_ranges(g.get("at")?.as_str()?, order.len())? {
            if at[pos].replace(r).is_some() {
                return None;
            }
        }
    }
    let mut items = Vec::with_capacity(order.len());
    for (i, r) in order.into_iter().zip(at) {
        let name = names.get(i).unwrap_or_else(|| &extra[i - names.len()]);
        let mut item = Map::new();
        item.insert("node".into(), Value::String(name.clone()));
        item.extend(r?.clone());
        items.push(Value::Object(item));
    }
    serde_json::to_string(&items).ok()
}

/// Ascending runs of consecutive numbers as "a-b", the rest one by one: "0-2,5".
fn ranges(xs: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let start = xs[i];
        while i + 1 < xs.len() && xs[i].checked_add(1) == Some(xs[i + 1]) {
            i += 1;
        }
        parts.push(if xs[i] == start {
            start.to_string()
        } else {
            format!("{start}-{}", xs[i])
        });
        i += 1;
    }
    parts.join(",")
}

/// The numbers of `ranges`' text, each below `limit`, at most 2^20 of them.
fn parse_ranges(text: &str, limit: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    if text.is_empty() {
        return Some(out);
    }
    let number = |s: &str| {
        let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| s.parse::<usize>().ok())
            .flatten()
            .filter(|n| *n < limit)
    };
    for part in text.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(part)?, number(part)?),
        };
        if a > b || out.len() + (b - a) >= 1 << 20 {
            return None;
        }
        out.extend(a..=b);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["cp".into(), "w1".into(), "w2".into()]
    }

    const V1: &str = r#"[{"node":"cp","state":"PASS","actual":"a","expected":"e","source":"s"},{"node":"w1","state":"FAIL","actual":"b","expected":"e","source":"s","reason":"r"},{"node":"w2","state":"FAIL","actual":"b","expected":"e","source":"s","reason":"r"},{"node":"cluster","state":"WARN","actual":"","expected":"","source":""}]"#;

    #[test]
    fn nodes_sharing_a_result_are_grouped_and_unknown_names_kept_with_the_check() {
        let v2: Value = serde_json::from_str(&to_v2(V1, &names()).unwrap()).unwrap();
        assert_eq!(v2["v"], 2);
        assert_eq!(v2["n"], "0-3");
        assert_eq!(v2["x"], json!(["cluster"]));
        let at: Vec<&str> = v2["g"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["at"].as_str().unwrap())
            .collect();
        assert_eq!(at, ["0", "1-2", "3"]);
        assert_eq!(v2["g"][1]["r"]["reason"], "r");
    }

    #[test]
    fn down_gives_back_the_same_results() {
        let v2 = to_v2(V1, &names()).unwrap();
        let back: Value = serde_json::from_str(&to_v1(&v2, &names()).unwrap()).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(V1).unwrap());
    }

    #[test]
    fn what_is_not_the_expected_format_is_left_alone() {
        let v2 = to_v2(V1, &names()).unwrap();
        assert_eq!(to_v2(&v2, &names()), None, "already converted");
        assert_eq!(to_v1(V1, &names()), None, "not converted");
        assert_eq!(to_v2(r#"[{"state":"PASS"}]"#, &names()), None, "no node");
        assert_eq!(to_v2("[1]", &names()), None);
        assert_eq!(to_v1(r#"{"v":2,"n":"0-9","g":[]}"#, &names()), None);
        assert_eq!(to_v1(r#"{"v":2,"n":"0","g":[]}"#, &names()), None);
    }

    #[test]
    fn an_empty_list_converts_both_ways() {
        let v2 = to_v2("[]", &[]).unwrap();
        let parsed: Value = serde_json::from_str(&v2).unwrap();
        assert_eq!(parsed, json!({ "v": 2, "n": "", "g": [] }));
        assert_eq!(to_v1(&v2, &[]).unwrap(), "[]");
    }
}
