//! A snapshot's `cluster.yaml`: parsing never panics and errors name the snapshot.

use super::{arb_json, arb_mutated, arb_text_edit, assert_clear};
use crate::sources::ClusterFile;
use proptest::prelude::*;

const CLUSTER: &str = include_str!("../../config/demo/cluster.yaml");

fn parse(text: &str) {
    let r = ClusterFile::parse("/srv/snap", text);
    assert_clear(&r);
    if let Err(e) = &r {
        assert!(
            e.to_string().contains("/srv/snap"),
            "the error does not name the snapshot: {e}"
        );
    }
}

proptest! {
    #[test]
    fn proptest_snapshot_arbitrary_text(text in ".*") {
        parse(&text);
    }

    #[test]
    fn proptest_snapshot_arbitrary_json(v in arb_json()) {
        parse(&v.to_string());
    }

    #[test]
    fn proptest_snapshot_mutated(v in arb_mutated(serde_saphyr::from_str(CLUSTER).expect("demo cluster.yaml"))) {
        parse(&v.to_string());
    }

    #[test]
    fn proptest_snapshot_broken_text(text in arb_text_edit(CLUSTER)) {
        parse(&text);
    }
}
