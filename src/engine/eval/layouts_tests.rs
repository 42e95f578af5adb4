//! Grouping by layout changes no result: every node of a scan gets what it would
//! get if it were scanned alone, skips naming single nodes included.

use super::super::evaluate;
use crate::engine::benchmark::Catalog;
use crate::engine::facts::NodeFacts;
use crate::engine::report::{Skip, State};

fn facts(text: &str, name: &str) -> NodeFacts {
    let mut f: NodeFacts = serde_json::from_str(text).expect("demo facts");
    f.node = name.into();
    f
}

#[test]
fn every_node_of_a_mixed_scan_gets_the_results_it_gets_alone() {
    let cp = include_str!("../../../config/demo/cp-1.json");
    let worker = include_str!("../../../config/demo/worker-1.json");
    let mut odd = facts(worker, "w-odd");
    odd.errors.push("/proc/1 unreadable".into());
    let mut broken = facts(worker, "w-broken");
    broken.collection_error = Some("no answer".into());
    let nodes = vec![
        facts(cp, "cp-1"),
        facts(worker, "w-1"),
        facts(worker, "w-2"),
        facts(cp, "cp-2"),
        odd,
        facts(worker, "w-3"),
        broken.clone(),
        NodeFacts {
            node: "w-broken-2".into(),
            ..broken
        },
    ];
    for id in ["cis-1.8", "cis-1.12", "rke2-cis-1.12", "eks-1.8.0"] {
        let b = Catalog::embedded().unwrap().get(id).unwrap();
        let plain = evaluate(&b, &nodes, &[]);
        // a check failing on the workers, skipped for w-2 only
        let failing = plain
            .results
            .iter()
            .find(|r| r.nodes.get(1).is_some_and(|n| n.state == State::Fail))
            .map(|r| r.id.clone())
            .expect("a check failing on the demo worker");
        let skips = [Skip {
            id: failing.clone(),
            reason: Some("accepted".into()),
            by: None,
            at: None,
            nodes: vec!["w-2".into()],
        }];
        let together = evaluate(&b, &nodes, &skips);
        for (i, node) in nodes.iter().enumerate() {
            let alone = evaluate(&b, std::slice::from_ref(node), &skips);
            for (t, a) in together.results.iter().zip(&alone.results) {
                if t.nodes.len() != nodes.len() {
                    // a cluster-wide check: one result for the cluster, whatever the nodes
                    assert_eq!(t.nodes, a.nodes, "{id} {}", t.id);
                    continue;
                }
                assert_eq!(t.nodes[i], a.nodes[0], "{id} {} on {}", t.id, node.node);
            }
        }
        let skipped = together.results.iter().find(|r| r.id == failing).unwrap();
        assert_eq!(skipped.nodes[2].state, State::Skip, "{id}: w-2 skipped");
        assert_eq!(skipped.nodes[1].state, State::Fail, "{id}: w-1 still fails");
    }
}
