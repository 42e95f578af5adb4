//! The node facts JSON (`check --facts`, snapshot facts files, collector Job
//! output): parsing never panics, and whatever parses can be evaluated.

use super::{arb_json, arb_mutated, arb_text_edit, assert_clear};
use crate::engine::benchmark::Catalog;
use crate::engine::facts::NodeFacts;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

const CP: &str = include_str!("../../config/demo/cp-1.json");
const WORKER: &str = include_str!("../../config/demo/worker-1.json");

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("embedded"));

/// Parses like `check --facts` does; what parses is evaluated with the
/// benchmark its version selects (the newest when it names none).
fn parse_and_evaluate(text: &str) {
    let r = NodeFacts::from_json(Path::new("node.json"), text);
    assert_clear(&r);
    if let Err(e) = &r {
        assert!(
            matches!(e, crate::engine::error::EngineError::Facts { .. }),
            "not a facts error: {e:?}"
        );
    }
    if let Ok(facts) = r {
        let version = facts.kubernetes_version.clone();
        let benchmark = CATALOG
            .select(None, version.as_deref())
            .or_else(|_| CATALOG.select(None, None))
            .expect("a benchmark");
        let report = crate::engine::eval::evaluate(&benchmark, &[facts], &[]);
        assert_eq!(report.results.len(), benchmark.checks.len());
    }
}

fn doc(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("demo facts are JSON")
}

proptest! {
    #[test]
    fn proptest_facts_arbitrary_text(text in ".*") {
        parse_and_evaluate(&text);
    }

    #[test]
    fn proptest_facts_arbitrary_json(v in arb_json()) {
        parse_and_evaluate(&v.to_string());
    }

    #[test]
    fn proptest_facts_mutated_control_plane(v in arb_mutated(doc(CP))) {
        parse_and_evaluate(&v.to_string());
    }

    #[test]
    fn proptest_facts_mutated_worker(v in arb_mutated(doc(WORKER))) {
        parse_and_evaluate(&v.to_string());
    }

    #[test]
    fn proptest_facts_broken_text(text in arb_text_edit(CP)) {
        parse_and_evaluate(&text);
    }
}
