//! One check for every string a client sends: none may hold U+0000 (NUL).
//!
//! PostgreSQL's text type cannot store NUL (the insert fails, which would be
//! INTERNAL), and SQLite stores it silently, so the two databases would disagree
//! on the same input. No argument of this API means anything with a NUL in it,
//! so any string holding one, in a variable or written in the query, anywhere
//! inside a list or an input object, refuses the whole request as
//! BAD_USER_INPUT before a resolver runs, the same on both databases.

use super::errors::coded;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Request, ServerError, ServerResult};
use async_graphql_value::{ConstValue, Value};
use std::sync::Arc;

/// The extension that refuses requests with a NUL in any string.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNulInStrings;

impl ExtensionFactory for NoNulInStrings {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for NoNulInStrings {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(at) = request
            .variables
            .iter()
            .find(|(_, v)| const_has_nul(v))
            .map(|(name, _)| format!("variable ${name}"))
        {
            return Err(refusal(&at));
        }
        // a query that does not parse is left to async-graphql, which says where it fails
        if let Some(at) = request.parsed_query().ok().and_then(nul_in_document) {
            return Err(refusal(&at));
        }
        next.run(ctx, request).await
    }
}

fn refusal(at: &str) -> ServerError {
    let e = coded(
        "BAD_USER_INPUT",
        format!("{at} holds U+0000 (NUL), which no string of this API accepts"),
    );
    let mut s = ServerError::new(e.message, None);
    s.extensions = e.extensions;
    s
}

/// Where a document writes a string with a NUL: "argument x of field y", or
/// the default of a variable.
pub fn nul_in_document(doc: &ExecutableDocument) -> Option<String> {
    for (_, op) in doc.operations.iter() {
        for def in &op.node.variable_definitions {
            if def
                .node
                .default_value
                .as_ref()
                .is_some_and(|d| const_has_nul(&d.node))
            {
                return Some(format!("the default of variable ${}", def.node.name.node));
            }
        }
        let found = in_directives(&op.node.directives)
            .or_else(|| in_selections(&op.node.selection_set.node));
        if found.is_some() {
            return found;
        }
    }
    doc.fragments.values().find_map(|f| {
        in_directives(&f.node.directives).or_else(|| in_selections(&f.node.selection_set.node))
    })
}

fn in_selections(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(f) => f
            .node
            .arguments
            .iter()
            .find(|(_, v)| has_nul(&v.node))
            .map(|(name, _)| format!("argument {} of field {}", name.node, f.node.name.node))
            .or_else(|| in_directives(&f.node.directives))
            .or_else(|| in_selections(&f.node.selection_set.node)),
        Selection::InlineFragment(i) => {
            in_directives(&i.node.directives).or_else(|| in_selections(&i.node.selection_set.node))
        }
        Selection::FragmentSpread(s) => in_directives(&s.node.directives),
    })
}

fn in_directives(directives: &[Positioned<Directive>]) -> Option<String> {
    directives.iter().find_map(|d| {
        d.node
            .arguments
            .iter()
            .find(|(_, v)| has_nul(&v.node))
            .map(|(name, _)| format!("argument {} of directive @{}", name.node, d.node.name.node))
    })
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(has_nul),
        Value::Object(fields) => fields.values().any(has_nul),
        _ => false,
    }
}

fn const_has_nul(v: &ConstValue) -> bool {
    match v {
        ConstValue::String(s) => s.contains('\0'),
        ConstValue::List(items) => items.iter().any(const_has_nul),
        ConstValue::Object(fields) => fields.values().any(const_has_nul),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn found(q: &str) -> Option<String> {
        nul_in_document(&parse_query(q).unwrap())
    }

    #[test]
    fn a_nul_written_in_an_argument_is_found_and_named() {
        let at = found(
            r#"mutation { skipTest(clusterId: "demo", testId: "1.1.1", reason: "a\u0000b") { testId } }"#,
        );
        assert_eq!(at.as_deref(), Some("argument reason of field skipTest"));
    }

    #[test]
    fn a_nul_inside_lists_fragments_and_defaults_is_found() {
        assert!(found(r#"mutation { skipTest(clusterId: "d", testId: "t", nodes: ["a", "\u0000"]) { testId } }"#).is_some());
        assert!(
            found(r#"query { ...F } fragment F on Query { cluster(id: "\u0000") { id } }"#)
                .is_some()
        );
        assert!(found(r#"query($c: ID = "x\u0000") { cluster(id: $c) { id } }"#).is_some());
        assert!(found(r#"query { clusters @include(if: true) { id } }"#).is_none());
    }

    #[test]
    fn ordinary_strings_and_other_escapes_pass() {
        assert!(found(r#"{ cluster(id: "demo\n\t\u0001") { id } }"#).is_none());
        let v = ConstValue::List(vec![ConstValue::String("ok".into())]);
        assert!(!const_has_nul(&v));
        assert!(const_has_nul(&ConstValue::String("a\0".into())));
    }
}
