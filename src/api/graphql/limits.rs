//! What one GraphQL request may cost, checked before anything runs.
//!
//! Depth is counted by hand rather than by async-graphql's `limit_depth`, because
//! that one also counts the introspection query's nested `ofType` selections and so
//! refuses the standard introspection query that GraphiQL, code generators and
//! schemathesis send. Introspection answers come from the in-memory schema and cost
//! nothing but their size, which the complexity limit still bounds.
//!
//! Complexity is async-graphql's, with list fields priced by how many items they
//! may return (see the `complexity` attributes in `types.rs` and `reports.rs`); it is
//! compared here so the refusal can say what the query cost.

use super::nesting::{nesting, MAX_NESTING};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, ServerError, ServerResult, ValidationResult};
use std::collections::HashMap;
use std::sync::Arc;

/// Depth and complexity limits of one request, and the documents already parsed
/// and found within them.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    pub depth: usize,
    pub complexity: usize,
    pub documents: super::document_cache::DocumentCache,
}

impl QueryLimits {
    /// These limits, with an empty document cache.
    pub fn new(depth: usize, complexity: usize) -> Self {
        QueryLimits {
            depth,
            complexity,
            documents: Default::default(),
        }
    }
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

pub use super::refusals::{refuse, refused_by_limit, Limit};

impl QueryLimits {
    fn check_shape(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let shape = shape(doc);
        if shape.depth > self.depth {
            return Err(refuse(
                Limit::Depth,
                format!(
                    "the query is nested too deep: depth {}, the limit is {}",
                    shape.depth, self.depth
                ),
            ));
        }
        if shape.introspections > MAX_INTROSPECTIONS {
            return Err(refuse(Limit::Fields, format!(
                "the query asks for __schema or __type {} times once its fragments are written out; the limit is {MAX_INTROSPECTIONS}",
                shape.introspections
            )));
        }
        if shape.fields > MAX_EXPANDED_FIELDS {
            return Err(refuse(Limit::Fields, format!(
                "the query selects {} fields once its fragments are written out; the limit is {MAX_EXPANDED_FIELDS}",
                shape.fields
            )));
        }
        if let Some(d) = super::duplicates::duplicate_field(doc) {
            return Err(refuse(
                Limit::Duplicate,
                format!(
                    "the query asks for {} with the same arguments twice (as {} and {}): ask once",
                    d.field, d.first, d.second
                ),
            ));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Extension for QueryLimits {
    /// Parses the query here, before async-graphql does: its own parse step walks every
    /// fragment spread without remembering fragments it has seen, so a query whose
    /// fragments double at each level would take seconds before any limit is looked at.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(doc) = self.documents.get(&request.query) {
            // this very text parsed and passed the checks below before
            request.set_parsed_query(doc);
        } else {
            // the parser recurses once per bracket: too many must not reach it
            check_nesting(&request.query)?;
            // a query that does not parse is left to async-graphql, which says where it fails
            let text = request.query.clone();
            if let Ok(doc) = request.parsed_query() {
                self.check_shape(doc)?;
                self.documents.keep(&text, doc);
            }
        }
        let key = super::document_cache::ValidationKey::of(&request);
        // what the lists really cost is charged while the request runs (see `cost`)
        request = request
            .data(super::cost::CostMeter::new(self.complexity))
            .data(key);
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let key = ctx.data_opt::<super::document_cache::ValidationKey>();
        // the same document, operation and variables passed validation before
        let result = match key.and_then(|k| self.documents.validated(k)) {
            Some(result) => result,
            None => {
                let result = next.run(ctx).await?;
                if let Some(k) = key {
                    self.documents.keep_validated(k, result);
                }
                result
            }
        };
        if let Some(meter) = ctx.data_opt::<super::cost::CostMeter>() {
            // the static price first: lists longer than their estimate add to it
            let _ = meter.charge(result.complexity);
        }
        if result.complexity > self.complexity {
            return Err(vec![refuse(Limit::Complexity, format!(
                "the query costs {} and the limit is {}: every item a list may return counts \
                 (reports(first) × results × nodes), so ask for fewer items, fewer fields or fewer aliases",
                result.complexity, self.complexity
            ))]);
        }
        Ok(result)
    }
}

/// Refuses a document that nests brackets deeper than [`MAX_NESTING`], before
/// anything parses it; every way a query reaches the schema passes here.
pub fn check_nesting(query: &str) -> ServerResult<()> {
    nesting(query, MAX_NESTING)
        .map(|_| ())
        .map_err(|e| refuse(Limit::Nesting, e.to_string()))
}

/// Most fields a query may select once its fragments are written out. Validation
/// walks the query that way, so a few nested fragments spread twice each would
/// otherwise make it visit millions of fields before any limit is looked at.
const MAX_EXPANDED_FIELDS: usize = 10_000;

/// Most `__schema`/`__type` fields one request may ask for: an answer from the
/// in-memory schema costs no query, but each is up to ~100 KB of text to build.
const MAX_INTROSPECTIONS: usize = 4;

/// The size of a query: its deepest nesting (introspection left out), how many
/// fields it selects and how many introspection roots, with fragments written out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    pub depth: usize,
    pub fields: usize,
    pub introspections: usize,
}

/// The shape of every operation of a document taken together. Each fragment is
/// measured once, so this is linear in the document's length.
pub fn shape(doc: &ExecutableDocument) -> Shape {
    let mut memo = HashMap::new();
    doc.operations
        .iter()
        .map(|(_, op)| set_shape(doc, &op.node.selection_set.node, &mut memo))
        .fold(Shape::default(), |a, b| Shape {
            depth: a.depth.max(b.depth),
            fields: a.fields.saturating_add(b.fields),
            introspections: a.introspections.saturating_add(b.introspections),
        })
}

/// Fragments measured so far; `None` while one is being measured (a cycle,
/// refused by validation later, must only not recurse forever here).
type Memo<'a> = HashMap<&'a str, Option<Shape>>;

fn set_shape<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, memo: &mut Memo<'a>) -> Shape {
    let mut out = Shape::default();
    for item in &set.items {
        let s = match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                if name == "__schema" || name == "__type" {
                    Shape {
                        depth: 1,
                        fields: 1,
                        introspections: 1,
                    }
                } else {
                    let inner = set_shape(doc, &f.node.selection_set.node, memo);
                    Shape {
                        depth: 1 + inner.depth,
                        fields: inner.fields.saturating_add(1),
                        introspections: inner.introspections,
                    }
                }
            }
            Selection::InlineFragment(i) => set_shape(doc, &i.node.selection_set.node, memo),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match (memo.get(name), doc.fragments.get(name)) {
                    (Some(known), _) => known.unwrap_or_default(),
                    (None, Some(frag)) => {
                        memo.insert(name, None);
                        let s = set_shape(doc, &frag.node.selection_set.node, memo);
                        memo.insert(name, Some(s));
                        s
                    }
                    (None, None) => Shape::default(),
                }
            }
        };
        out.depth = out.depth.max(s.depth);
        out.fields = out.fields.saturating_add(s.fields);
        out.introspections = out.introspections.saturating_add(s.introspections);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn d(q: &str) -> usize {
        shape(&parse_query(q).unwrap()).depth
    }

    #[test]
    fn depth_counts_nested_fields() {
        assert_eq!(d("{ a { b { c } } }"), 3);
    }

    #[test]
    fn depth_follows_fragments_and_inline_fragments() {
        assert_eq!(
            d("{ a { ...F } } fragment F on T { b { ... on T { c } } }"),
            3
        );
    }

    #[test]
    fn depth_leaves_introspection_out() {
        let q = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }";
        assert_eq!(d(q), 1);
    }

    #[test]
    fn depth_survives_fragment_cycles() {
        assert_eq!(d("{ a { ...F } } fragment F on T { b { ...F } }"), 2);
    }

    #[test]
    fn introspection_roots_are_counted_through_fragments() {
        let q =
            "{ ...A ...B } fragment A on Query { a: __schema { x } b: __type(name: \"Q\") { x } } \
                 fragment B on Query { ...A ...A }";
        assert_eq!(shape(&parse_query(q).unwrap()).introspections, 6);
    }

    #[test]
    fn fields_count_every_spread_of_a_fragment() {
        let q = "{ a { ...F ...F } } fragment F on T { b c }";
        assert_eq!(shape(&parse_query(q).unwrap()).fields, 5);
    }

    #[test]
    fn doubling_fragments_are_measured_without_walking_them() {
        let mut q = String::from("{ ...F0 }");
        for i in 0..60 {
            q.push_str(&format!(
                " fragment F{i} on Q {{ a: ...F{n} b: ...F{n} }}",
                n = i + 1
            ));
        }
        q.push_str(" fragment F60 on Q { x }");
        let q = q.replace("a: ...", "...").replace("b: ...", "...");
        let s = shape(&parse_query(&q).unwrap());
        assert!(s.fields > MAX_EXPANDED_FIELDS, "{s:?}");
    }
}
