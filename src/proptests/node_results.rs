//! A check's stored node results (`store::node_codec`): whatever the nodes (names
//! with any characters, repeated, in or out of the report's list; results shared
//! or not; none at all), decoding what was encoded gives them back in their
//! order; the migration's conversion (`migration::compact_nodes`) writes what the
//! service reads and reads back what the service writes; and stored text that is
//! damaged decodes to an error, never a panic.

use crate::engine::audit::{command, AuditHints};
use crate::engine::report::{NodeResult, State};
use crate::service::store::node_codec::{decode, encode, NodeNames};
use migration::compact_nodes::{to_v1, to_v2};
use proptest::prelude::*;

fn arb_state() -> impl Strategy<Value = State> {
    prop::sample::select(vec![
        State::Pass,
        State::Fail,
        State::Warn,
        State::Skip,
        State::NotApplicable,
        State::Error,
    ])
}

/// Few distinct values, so that results repeat as they do across a cluster.
fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["", "--profiling=true", "0600", "/etc/kubernetes"])
            .prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

/// Node names: mostly from a small pool (so they repeat and hit the report's
/// list), sometimes anything at all.
fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0usize..12).prop_map(|i| format!("node-{i}")),
        1 => Just("cluster".to_string()),
        1 => any::<String>(),
    ]
}

fn arb_result() -> impl Strategy<Value = NodeResult> {
    (
        arb_name(),
        arb_state(),
        arb_text(),
        arb_text(),
        arb_text(),
        prop::option::of(arb_text()),
        arb_text(),
    )
        .prop_map(|(node, state, actual, expected, source, reason, audit)| {
            // a result without an audit reads back with the one its source names
            let audit = match audit.as_str() {
                "" => command(&source, &expected, &AuditHints::default()),
                _ => audit,
            };
            NodeResult {
                node,
                state,
                actual,
                expected,
                source,
                reason,
                audit,
            }
        })
}

/// The report's node list: names from the same pool, possibly repeated.
fn arb_names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(arb_name(), 0..10)
}

proptest! {
    #[test]
    fn decoding_what_was_encoded_gives_the_results_back_in_order(
        nodes in prop::collection::vec(arb_result(), 0..40),
        names in arb_names(),
    ) {
        let text = encode(&nodes, &NodeNames::new(&names));
        prop_assert_eq!(decode(&text, &names).unwrap(), nodes);
    }

    #[test]
    fn the_migration_writes_what_the_service_reads_and_reads_back_what_it_writes(
        nodes in prop::collection::vec(arb_result(), 0..40),
        names in arb_names(),
    ) {
        let v1 = serde_json::to_string(&nodes).unwrap();
        let v2 = to_v2(&v1, &names).expect("a saved array converts");
        prop_assert_eq!(&decode(&v2, &names).unwrap(), &nodes);
        let written = encode(&nodes, &NodeNames::new(&names));
        let back = to_v1(&written, &names).expect("a saved check converts back");
        prop_assert_eq!(serde_json::from_str::<Vec<NodeResult>>(&back).unwrap(), nodes);
    }

    #[test]
    fn damaged_stored_text_is_an_error_not_a_panic(
        nodes in prop::collection::vec(arb_result(), 0..8),
        names in arb_names(),
        cut in any::<prop::sample::Index>(),
        edits in prop::collection::vec(super::arb_edit(), 1..4),
    ) {
        let text = encode(&nodes, &NodeNames::new(&names));
        let end = cut.index(text.len() + 1);
        if text.is_char_boundary(end) {
            let _ = decode(&text[..end], &names);
        }
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let edited = super::apply(doc, &edits).to_string();
        let _ = decode(&edited, &names);
        let _ = to_v1(&edited, &names);
    }
}
