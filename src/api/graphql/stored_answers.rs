//! Which GraphQL requests read nothing but saved reports, so that their whole answer
//! can be kept and sent again (`service::report_answers`).
//!
//! A request qualifies only when every field it selects, with its fragments written
//! out, is in [`ALLOWED`]: root `report(id:)` fields and the parts of a report fixed
//! when it was saved. Anything else (`previous`, which depends on later deletes and the
//! caller; clusters, scans, skips, schedules, history, the fleet, introspection,
//! mutations, subscriptions) leaves the request to run every time. The walk also
//! collects the report ids (literal or from variables), which the HTTP layer checks
//! against the caller on every request before it sends a kept answer.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned, Variables};
use async_graphql_value::{ConstValue, Value};
use uuid::Uuid;

/// What a field gives: a leaf, or an object whose fields are looked up in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gives {
    Leaf,
    Object(&'static str),
}

use Gives::{Leaf, Object};

/// Every field a kept answer may read, by (type, field): data fixed when the report was
/// saved, or by the running process (`jsonUrl` and `downloads` from `public_url`,
/// `sections` from the benchmark catalog loaded at start-up).
pub const ALLOWED: &[(&str, &str, Gives)] = &[
    ("Query", "report", Object("Report")),
    ("Report", "id", Leaf),
    ("Report", "state", Leaf),
    ("Report", "clusterId", Leaf),
    ("Report", "scanId", Leaf),
    ("Report", "benchmarkVersion", Leaf),
    ("Report", "benchmarkTitle", Leaf),
    ("Report", "benchmarkReason", Leaf),
    ("Report", "scoredOnly", Leaf),
    ("Report", "kubernetesVersion", Leaf),
    ("Report", "createdAt", Leaf),
    ("Report", "startedAt", Leaf),
    ("Report", "finishedAt", Leaf),
    ("Report", "provider", Leaf),
    ("Report", "mode", Leaf),
    ("Report", "excludedNodes", Object("ExcludedNode")),
    ("Report", "nodes", Leaf),
    ("Report", "jsonUrl", Leaf),
    ("Report", "csvUrl", Leaf),
    ("Report", "downloads", Object("Download")),
    ("Report", "summary", Object("Summary")),
    ("Report", "results", Object("CheckResult")),
    ("Report", "resultCount", Leaf),
    ("Report", "sections", Object("ReportSection")),
    ("ExcludedNode", "node", Leaf),
    ("ExcludedNode", "reason", Leaf),
    ("Download", "format", Leaf),
    ("Download", "url", Leaf),
    ("Summary", "total", Leaf),
    ("Summary", "pass", Leaf),
    ("Summary", "fail", Leaf),
    ("Summary", "warn", Leaf),
    ("Summary", "skip", Leaf),
    ("Summary", "notApplicable", Leaf),
    ("Summary", "error", Leaf),
    ("ReportSection", "id", Leaf),
    ("ReportSection", "title", Leaf),
    ("ReportSection", "checks", Leaf),
    ("CheckResult", "id", Leaf),
    ("CheckResult", "description", Leaf),
    ("CheckResult", "state", Leaf),
    ("CheckResult", "scored", Leaf),
    ("CheckResult", "automated", Leaf),
    ("CheckResult", "section", Leaf),
    ("CheckResult", "nodeType", Leaf),
    ("CheckResult", "remediation", Leaf),
    ("CheckResult", "reason", Leaf),
    ("CheckResult", "nodes", Object("NodeResult")),
    ("CheckResult", "nodeCount", Leaf),
    ("NodeResult", "node", Leaf),
    ("NodeResult", "state", Leaf),
    ("NodeResult", "actual", Leaf),
    ("NodeResult", "expected", Leaf),
    ("NodeResult", "source", Leaf),
    ("NodeResult", "reason", Leaf),
    ("NodeResult", "audit", Leaf),
];

fn gives(ty: &str, field: &str) -> Option<Gives> {
    if field == "__typename" {
        // the object's type name: fixed by the schema
        return Some(Leaf);
    }
    ALLOWED
        .iter()
        .find(|(t, f, _)| *t == ty && *f == field)
        .map(|(_, _, g)| *g)
}

/// Most selections one walk visits; a larger document (or a fragment cycle, which
/// validation refuses later) is simply not kept.
const MAX_STEPS: usize = 20_000;
/// Deepest nesting of selections and fragments one walk follows.
const MAX_DEPTH: usize = 32;

/// The reports a request reads when it reads nothing but saved reports (at least
/// one), in the order first named; `None` when it reads anything else, or when its
/// operation or a report id cannot be told.
pub fn stored_reports(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Option<Vec<Uuid>> {
    let op = operation(doc, operation_name)?;
    if op.ty != OperationType::Query || !op.directives.is_empty() {
        return None;
    }
    let mut walk = Walk {
        doc,
        op,
        variables,
        reports: Vec::new(),
        steps: 0,
    };
    walk.set("Query", &op.selection_set.node, 0)?;
    (!walk.reports.is_empty()).then_some(walk.reports)
}

fn operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    op: &'a OperationDefinition,
    variables: &'a Variables,
    reports: Vec<Uuid>,
    steps: usize,
}

impl Walk<'_> {
    /// Whether every selection of `set`, on an object of type `ty`, is allowed.
    fn set(&mut self, ty: &str, set: &SelectionSet, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        for item in &set.items {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return None;
            }
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    only_skip_include(&f.directives)?;
                    let name = f.name.node.as_str();
                    match gives(ty, name)? {
                        Leaf => {}
                        Object(child) => {
                            if ty == "Query" && name == "report" {
                                self.report_id(&f.arguments)?;
                            }
                            self.set(child, &f.selection_set.node, depth + 1)?;
                        }
                    }
                }
                Selection::InlineFragment(i) => {
                    let i = &i.node;
                    only_skip_include(&i.directives)?;
                    if let Some(on) = &i.type_condition {
                        (on.node.on.node.as_str() == ty).then_some(())?;
                    }
                    self.set(ty, &i.selection_set.node, depth + 1)?;
                }
                Selection::FragmentSpread(s) => {
                    only_skip_include(&s.node.directives)?;
                    let frag = &self.doc.fragments.get(&s.node.fragment_name.node)?.node;
                    (frag.type_condition.node.on.node.as_str() == ty).then_some(())?;
                    self.set(ty, &frag.selection_set.node, depth + 1)?;
                }
            }
        }
        Some(())
    }

    /// Notes the report a `report(id:)` field names: a string literal or a variable.
    fn report_id(&mut self, args: &[(Positioned<Name>, Positioned<Value>)]) -> Option<()> {
        let (_, value) = args.iter().find(|(n, _)| n.node.as_str() == "id")?;
        let text = match &value.node {
            Value::String(s) => s.clone(),
            Value::Variable(v) => match self.variable(v)? {
                ConstValue::String(s) => s,
                _ => return None,
            },
            _ => return None,
        };
        let id = Uuid::parse_str(&text).ok()?;
        if !self.reports.contains(&id) {
            self.reports.push(id);
        }
        Some(())
    }

    /// A variable's value, or its declared default when the request gives none.
    fn variable(&self, name: &Name) -> Option<ConstValue> {
        if let Some(v) = self.variables.get(name) {
            return Some(v.clone());
        }
        self.op
            .variable_definitions
            .iter()
            .find(|d| &d.node.name.node == name)
            .and_then(|d| d.node.default_value.as_ref())
            .map(|d| d.node.clone())
    }
}

/// The key a request's answer is kept under: everything of the request the answer
/// depends on besides the reports' data (the operation, the variables, the text).
/// The first two are length-prefixed, so no two requests share a key.
pub fn answer_key(request: &async_graphql::Request) -> String {
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    let operation = request.operation_name.as_deref().unwrap_or("");
    format!(
        "{}:{operation}{}:{variables}{}",
        operation.len(),
        variables.len(),
        request.query
    )
}

/// `@skip` and `@include` only: their effect is decided by the request's variables,
/// which are part of the key an answer is kept under.
fn only_skip_include(
    directives: &[Positioned<async_graphql::parser::types::Directive>],
) -> Option<()> {
    directives
        .iter()
        .all(|d| matches!(d.node.name.node.as_str(), "skip" | "include"))
        .then_some(())
}

#[cfg(test)]
#[path = "stored_answers_tests.rs"]
mod tests;
