//! Benchmark definitions as read from `--benchmark-dir`: components, rules and
//! benchmark files. Parsing never panics, and a benchmark that parses can
//! evaluate the demo node without panicking.

use super::{arb_json, arb_mutated, arb_text_edit, assert_clear};
use crate::engine::benchmark::extend::parse_extension;
use crate::engine::benchmark::load::{
    parse_benchmark, parse_components, parse_header, parse_rules,
};
use crate::engine::benchmark::{Component, ComponentSpec, Rule};
use crate::engine::facts::NodeFacts;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};

const COMPONENTS: &str = include_str!("../../benchmarks/components.yaml");
const RULES: &str = include_str!("../../benchmarks/rules/control-plane.yaml");
const WORKER_RULES: &str = include_str!("../../benchmarks/rules/worker.yaml");
const BENCHMARK: &str = include_str!("../../benchmarks/cis-1.12.yaml");
const EXTENSION: &str = include_str!("../../benchmarks/cis-2.0.yaml");
const RULE_FILES: &[&str] = &[
    RULES,
    WORKER_RULES,
    include_str!("../../benchmarks/rules/etcd.yaml"),
    include_str!("../../benchmarks/rules/control-plane-config.yaml"),
    include_str!("../../benchmarks/rules/policies.yaml"),
    include_str!("../../benchmarks/rules/ciphers.yaml"),
];

static DEMO_NODE: LazyLock<NodeFacts> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../config/demo/cp-1.json")).expect("demo facts")
});

type Components = Arc<BTreeMap<Component, ComponentSpec>>;
type Rules = HashMap<String, Arc<Rule>>;

/// The shipped components and rules, parsed once: each case then parses only
/// the file it broke (rebuilding the whole catalog per case takes too long).
static SHIPPED: LazyLock<(Components, Rules)> = LazyLock::new(|| {
    let components = parse_components("components.yaml", COMPONENTS).expect("components");
    let rules = RULE_FILES
        .iter()
        .flat_map(|t| parse_rules("rules.yaml", t).expect("rules"))
        .map(|r| (r.id.clone(), Arc::new(r)))
        .collect();
    (Arc::new(components), rules)
});

/// cis-1.12, the base an extending file is built on.
static BASE: LazyLock<crate::engine::benchmark::Benchmark> = LazyLock::new(|| {
    let (components, rules) = &*SHIPPED;
    parse_benchmark("cis-1.12.yaml", BENCHMARK, rules, components.clone()).expect("cis-1.12")
});

/// Which file of a definition directory a text stands for.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Components,
    Rules,
    Benchmark,
    /// A benchmark file that extends cis-1.12.
    Extension,
}

/// Parses `text` as the file in `slot` the way the catalog does, with the
/// shipped files for the rest; a benchmark that parses evaluates the demo
/// control plane (a definition that loads must not panic a scan later).
fn build_and_evaluate(slot: Slot, text: String) {
    let (components, rules) = &*SHIPPED;
    let benchmark = match slot {
        Slot::Components => parse_components("components.yaml", &text)
            .and_then(|c| parse_benchmark("cis-1.12.yaml", BENCHMARK, rules, Arc::new(c))),
        Slot::Rules => parse_rules("rules/mine.yaml", &text).and_then(|mine| {
            let mut all = rules.clone();
            all.extend(mine.into_iter().map(|r| (r.id.clone(), Arc::new(r))));
            parse_benchmark("cis-1.12.yaml", BENCHMARK, &all, components.clone())
        }),
        Slot::Benchmark => parse_benchmark("mine.yaml", &text, rules, components.clone()),
        Slot::Extension => parse_header("mine.yaml", &text)
            .and_then(|info| parse_extension("mine.yaml", &text, &info, &BASE)),
    };
    assert_clear(&benchmark);
    if let Ok(b) = benchmark {
        let report = crate::engine::eval::evaluate(&b, std::slice::from_ref(&DEMO_NODE), &[]);
        assert_eq!(report.results.len(), b.checks.len());
    }
}

/// A definition file as a JSON tree (JSON is YAML, so it goes back in as text).
fn tree(yaml: &str) -> Value {
    serde_saphyr::from_str(yaml).expect("shipped definitions are YAML")
}

fn arb_slot() -> impl Strategy<Value = Slot> {
    prop_oneof![
        Just(Slot::Components),
        Just(Slot::Rules),
        Just(Slot::Benchmark),
        Just(Slot::Extension)
    ]
}

proptest! {
    #[test]
    fn proptest_definitions_arbitrary_text(slot in arb_slot(), text in ".*") {
        build_and_evaluate(slot, text);
    }

    #[test]
    fn proptest_definitions_arbitrary_json(slot in arb_slot(), v in arb_json()) {
        build_and_evaluate(slot, v.to_string());
    }

    #[test]
    fn proptest_definitions_mutated_components(v in arb_mutated(tree(COMPONENTS))) {
        build_and_evaluate(Slot::Components, v.to_string());
    }

    #[test]
    fn proptest_definitions_mutated_rules(v in arb_mutated(tree(RULES))) {
        build_and_evaluate(Slot::Rules, v.to_string());
    }

    #[test]
    fn proptest_definitions_mutated_worker_rules(v in arb_mutated(tree(WORKER_RULES))) {
        build_and_evaluate(Slot::Rules, v.to_string());
    }

    #[test]
    fn proptest_definitions_mutated_benchmark(v in arb_mutated(tree(BENCHMARK))) {
        build_and_evaluate(Slot::Benchmark, v.to_string());
    }

    #[test]
    fn proptest_definitions_mutated_extension(v in arb_mutated(tree(EXTENSION))) {
        build_and_evaluate(Slot::Extension, v.to_string());
    }

    #[test]
    fn proptest_definitions_broken_rules_text(text in arb_text_edit(RULES)) {
        build_and_evaluate(Slot::Rules, text);
    }

    #[test]
    fn proptest_definitions_broken_benchmark_text(text in arb_text_edit(BENCHMARK)) {
        build_and_evaluate(Slot::Benchmark, text);
    }
}
