use super::*;
use async_graphql::parser::parse_query;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use std::collections::HashMap;

const ID: &str = "0b6c3b1e-5d7a-4f7e-9a51-2f6d1f0c9a11";
const OTHER: &str = "7d9a0c55-1111-4a2b-8c3d-000000000002";

fn reports(q: &str, op: Option<&str>, vars: serde_json::Value) -> Option<Vec<Uuid>> {
    let doc = parse_query(q).unwrap();
    stored_reports(&doc, op, &Variables::from_json(vars))
}

fn plain(q: &str) -> Option<Vec<Uuid>> {
    reports(q, None, serde_json::json!({}))
}

fn id() -> Uuid {
    Uuid::parse_str(ID).unwrap()
}

#[test]
fn the_whole_report_reads_only_its_report() {
    let q = format!(
        "{{ report(id: \"{ID}\") {{ id state benchmarkVersion kubernetesVersion provider mode nodes \
         createdAt csvUrl summary {{ total pass fail warn skip notApplicable error }} \
         results {{ id description state scored automated section nodeType remediation reason \
         nodes {{ node state actual expected source reason }} }} }} }}"
    );
    assert_eq!(plain(&q), Some(vec![id()]));
}

#[test]
fn ids_from_variables_and_their_defaults_are_collected_once_each() {
    let q = "query R($a: ID!, $b: ID! = \"7d9a0c55-1111-4a2b-8c3d-000000000002\") { \
             x: report(id: $a) { id } y: report(id: $b) { id } z: report(id: $a) { state } }";
    let got = reports(q, Some("R"), serde_json::json!({ "a": ID }));
    assert_eq!(got, Some(vec![id(), Uuid::parse_str(OTHER).unwrap()]));
}

#[test]
fn fragments_on_the_same_type_are_followed() {
    let q = format!(
        "query Q {{ report(id: \"{ID}\") {{ ...R ... on Report {{ summary {{ total }} }} }} }} \
         fragment R on Report {{ results(states: [FAIL]) {{ ...C }} }} \
         fragment C on CheckResult {{ id nodes @include(if: true) {{ node __typename }} }}"
    );
    assert_eq!(plain(&q), Some(vec![id()]));
}

#[test]
fn anything_that_reads_changing_data_is_never_kept() {
    let not_kept = [
        // the previous report depends on later deletes and on the caller
        format!("{{ report(id: \"{ID}\") {{ previous {{ id }} }} }}"),
        format!("{{ report(id: \"{ID}\") {{ id }} clusters {{ id }} }}"),
        format!("{{ report(id: \"{ID}\") {{ id }} scan(id: \"{ID}\") {{ state }} }}"),
        format!(
            "{{ report(id: \"{ID}\") {{ id }} skippedTests(clusterId: \"demo\") {{ checkId }} }}"
        ),
        format!("{{ report(id: \"{ID}\") {{ id }} schedules {{ id }} }}"),
        format!("{{ report(id: \"{ID}\") {{ id }} fleet {{ totalClusters }} }}"),
        format!(
            "{{ report(id: \"{ID}\") {{ id }} __schema {{ queryDirectives: types {{ name }} }} }}"
        ),
        format!("{{ report(id: \"{ID}\") {{ id }} reports {{ nodes {{ id }} }} }}"),
        format!("mutation {{ deleteReport(id: \"{ID}\") }}"),
        "subscription { scanEvents(clusterId: \"demo\") { state } }".to_string(),
        // no report at all: nothing to tie the answer to
        "{ __typename }".to_string(),
        // an id that is no UUID, or not a string
        "{ report(id: \"nope\") { id } }".to_string(),
        "{ report(id: 7) { id } }".to_string(),
        // a fragment on another type, and a directive other than skip/include
        format!("{{ report(id: \"{ID}\") {{ ... on Cluster {{ id }} }} }}"),
        format!("{{ report(id: \"{ID}\") {{ id @deprecated }} }}"),
        format!("query @cached {{ report(id: \"{ID}\") {{ id }} }}"),
    ];
    for q in &not_kept {
        assert_eq!(plain(q), None, "{q}");
    }
}

#[test]
fn a_missing_variable_or_an_unknown_operation_is_not_kept() {
    let q = "query R($a: ID!) { report(id: $a) { id } }";
    assert_eq!(reports(q, None, serde_json::json!({})), None);
    assert_eq!(reports(q, Some("S"), serde_json::json!({ "a": ID })), None);
    let two = format!("query A {{ report(id: \"{ID}\") {{ id }} }} query B {{ __typename }}");
    assert_eq!(plain(&two), None, "two operations and no name");
    assert_eq!(
        reports(&two, Some("A"), serde_json::json!({})),
        Some(vec![id()])
    );
}

#[test]
fn a_fragment_cycle_ends_the_walk() {
    let q = format!(
        "{{ report(id: \"{ID}\") {{ ...A }} }} fragment A on Report {{ id ...B }} \
         fragment B on Report {{ state ...A }}"
    );
    assert_eq!(plain(&q), None);
}

/// Every field of the committed SDL, by type: (named type, is it a list or not).
fn schema_fields() -> (HashMap<(String, String), String>, Vec<String>) {
    let sdl = include_str!("../../../schema.graphql");
    let doc = async_graphql::parser::parse_schema(sdl).unwrap();
    let mut fields = HashMap::new();
    let mut objects = Vec::new();
    fn named(t: &Type) -> String {
        match &t.base {
            BaseType::Named(n) => n.to_string(),
            BaseType::List(inner) => named(inner),
        }
    }
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let TypeKind::Object(object) = &t.node.kind else {
            continue;
        };
        let name = t.node.name.node.to_string();
        objects.push(name.clone());
        for f in &object.fields {
            let key = (name.clone(), f.node.name.node.to_string());
            fields.insert(key, named(&f.node.ty.node));
        }
    }
    (fields, objects)
}

#[test]
fn every_allowed_field_is_in_the_schema_with_the_type_said_here() {
    let (fields, objects) = schema_fields();
    for (ty, field, g) in ALLOWED {
        let Some(named) = fields.get(&(ty.to_string(), field.to_string())) else {
            panic!("{ty}.{field} is allowed but the schema has no such field");
        };
        match g {
            Gives::Leaf => assert!(
                !objects.contains(named),
                "{ty}.{field} gives the object {named}: say which"
            ),
            Gives::Object(o) => assert_eq!(named, o, "{ty}.{field}"),
        }
    }
}

#[test]
fn keys_differ_whenever_operation_variables_or_text_differ() {
    let req = |op: Option<&str>, vars: serde_json::Value, q: &str| {
        let mut r = async_graphql::Request::new(q).variables(Variables::from_json(vars));
        r.operation_name = op.map(String::from);
        answer_key(&r)
    };
    let base = req(Some("a"), serde_json::json!({}), "Q");
    assert_eq!(base, req(Some("a"), serde_json::json!({}), "Q"));
    assert_ne!(base, req(Some("b"), serde_json::json!({}), "Q"));
    assert_ne!(base, req(Some("a"), serde_json::json!({ "x": 1 }), "Q"));
    assert_ne!(base, req(Some("a"), serde_json::json!({}), "Q "));
    // a separator inside the operation name cannot shift text into another part
    assert_ne!(
        req(Some("a:{}"), serde_json::json!({}), "Q"),
        req(Some("a"), serde_json::json!({}), "{}Q")
    );
}
