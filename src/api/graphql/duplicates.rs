//! The same field asked twice with the same arguments under two aliases: the same
//! work done twice for nothing, and the way one request multiplies its cost.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use std::collections::HashMap;

/// A field asked for twice with the same arguments under two response names.
#[derive(Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub field: String,
    pub first: String,
    pub second: String,
}

/// The first field that one selection set (with its inline fragments) asks for twice
/// with identical arguments under different names: `a: report(id: 1) b: report(id: 1)`
/// runs the same work twice for nothing, and aliases are how one request multiplies
/// its cost. Fragment definitions are checked once each, where they are defined.
pub fn duplicate_field(doc: &ExecutableDocument) -> Option<Duplicate> {
    let sets = doc
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(doc.fragments.values().map(|f| &f.node.selection_set.node));
    for set in sets {
        if let Some(d) = duplicate_in(set) {
            return Some(d);
        }
    }
    None
}

fn duplicate_in(set: &SelectionSet) -> Option<Duplicate> {
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    let mut pending = vec![set];
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let name = f.name.node.to_string();
                    let args: Vec<String> = f
                        .arguments
                        .iter()
                        .map(|(k, v)| format!("{}:{}", k.node, v.node))
                        .collect();
                    let key = f.response_key().node.to_string();
                    match seen.get(&(name.clone(), args.join(","))) {
                        Some(first) if *first != key => {
                            return Some(Duplicate {
                                field: name,
                                first: first.clone(),
                                second: key,
                            })
                        }
                        Some(_) => {}
                        None => {
                            seen.insert((name, args.join(",")), key);
                        }
                    }
                    if let Some(d) = duplicate_in(&f.selection_set.node) {
                        return Some(d);
                    }
                }
                Selection::InlineFragment(i) => pending.push(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn dup(q: &str) -> Option<Duplicate> {
        duplicate_field(&parse_query(q).unwrap())
    }

    #[test]
    fn the_same_field_and_arguments_under_two_names_is_a_duplicate() {
        let d = dup(r#"{ a: report(id: "1") { id } b: report(id: "1") { id } }"#).unwrap();
        assert_eq!(
            (d.field.as_str(), d.first.as_str(), d.second.as_str()),
            ("report", "a", "b")
        );
        assert!(dup("{ a: clusters { id } ... on Query { b: clusters { id } } }").is_some());
        assert!(dup("{ x { a: nodes(limit: 1) { n } b: nodes(limit: 1) { n } } }").is_some());
        assert!(
            dup("query($v: ID!) { a: report(id: $v) { id } b: report(id: $v) { id } }").is_some()
        );
    }

    #[test]
    fn other_arguments_or_one_name_are_not_duplicates() {
        assert!(dup(r#"{ a: report(id: "1") { id } b: report(id: "2") { id } }"#).is_none());
        assert!(
            dup("{ f: results(states: [FAIL]) { id } p: results(states: [PASS]) { id } }")
                .is_none()
        );
        // the same name twice is one field to GraphQL (its selections merge)
        assert!(dup("{ clusters { id } clusters { name } }").is_none());
    }
}
