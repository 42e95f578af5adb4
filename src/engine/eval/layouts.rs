//! Nodes laid out alike: a fleet's workers usually carry the same facts but for
//! their names. A check's outcome depends on a node's facts, never on its name,
//! so the evaluator works out each outcome once per layout and gives it to every
//! node of that layout; skips (which name nodes) still apply node by node.

use crate::engine::facts::{ComponentFacts, NodeFacts};
use std::collections::BTreeMap;

/// Layouts remembered when grouping: beyond this many distinct ones, a new node
/// is evaluated on its own (comparing it with every layout seen would cost more
/// than it saves on a cluster of unlike nodes).
const REMEMBERED: usize = 16;

/// Which nodes of a scan are laid out alike.
pub(super) struct Layouts {
    /// For each node, the first node laid out like it (itself when it is the first).
    first: Vec<usize>,
    /// For each node, true when a later node is laid out like it.
    shared: Vec<bool>,
}

impl Layouts {
    /// Groups `nodes` by layout.
    pub(super) fn of(nodes: &[&NodeFacts]) -> Self {
        let first = layouts(nodes);
        let mut shared = vec![false; first.len()];
        for (i, &f) in first.iter().enumerate() {
            if f != i {
                shared[f] = true;
            }
        }
        Layouts { first, shared }
    }

    /// `work(i)` for every node `i`, worked out once per layout: a node laid out
    /// like an earlier one gets a copy of that one's.
    pub(super) fn map<T: Clone>(&self, mut work: impl FnMut(usize) -> T) -> Vec<T> {
        // a handful at most: only the remembered layouts are shared
        let mut kept: Vec<(usize, T)> = Vec::new();
        let mut out = Vec::with_capacity(self.first.len());
        for (i, &first) in self.first.iter().enumerate() {
            let found = (first != i)
                .then(|| kept.iter().find(|(f, _)| *f == first))
                .flatten();
            let t = match found {
                Some((_, t)) => t.clone(),
                None => work(i),
            };
            if first == i && self.shared[i] {
                kept.push((i, t.clone()));
            }
            out.push(t);
        }
        out
    }
}

/// For each node, the index of the first node laid out like it (itself when it
/// is the first of its layout).
fn layouts(nodes: &[&NodeFacts]) -> Vec<usize> {
    let mut firsts: Vec<usize> = Vec::new();
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if let Some(&f) = firsts.iter().find(|&&f| alike(nodes[f], n)) {
                return f;
            }
            if firsts.len() < REMEMBERED {
                firsts.push(i);
            }
            i
        })
        .collect()
}

/// True when every fact a check reads is the same on both nodes: all but the
/// name and the collection time. Destructured so that a new field does not
/// compile until it is decided here whether checks read it.
fn alike(a: &NodeFacts, b: &NodeFacts) -> bool {
    let NodeFacts {
        schema_version,
        node: _,
        collected_at: _,
        roles,
        kubernetes_version,
        distribution,
        components,
        files,
        encryption,
        audit_policy,
        admission_config,
        digests,
        agentless,
        collection_error,
        errors,
    } = a;
    // cheap and telling first: unlike nodes most often differ in their command
    // lines (a node IP, a host name), so the processes are compared before the rest
    *schema_version == b.schema_version
        && *agentless == b.agentless
        && *distribution == b.distribution
        && *roles == b.roles
        && *kubernetes_version == b.kubernetes_version
        && *collection_error == b.collection_error
        && same_processes(components, &b.components)
        && *errors == b.errors
        && *digests == b.digests
        && *encryption == b.encryption
        && *audit_policy == b.audit_policy
        && *admission_config == b.admission_config
        && *files == b.files
        && *components == b.components
}

/// True when the same components run with the same command lines.
fn same_processes(
    a: &BTreeMap<String, ComponentFacts>,
    b: &BTreeMap<String, ComponentFacts>,
) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((ka, ca), (kb, cb))| {
            ka == kb
                && ca.process.as_ref().map(|p| &p.cmdline)
                    == cb.process.as_ref().map(|p| &p.cmdline)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, distribution: &str) -> NodeFacts {
        NodeFacts {
            node: name.into(),
            collected_at: Some(format!("at {name}")),
            distribution: distribution.into(),
            ..Default::default()
        }
    }

    #[test]
    fn nodes_differing_only_in_name_and_time_share_the_first_ones_layout() {
        let (a, b, c) = (node("a", "rke2"), node("b", "rke2"), node("c", "k3s"));
        assert_eq!(layouts(&[&a, &b, &c, &b]), vec![0, 0, 2, 0]);
    }

    #[test]
    fn map_works_once_per_layout_and_copies_it_to_the_rest() {
        let (a, b, c) = (node("a", "rke2"), node("b", "rke2"), node("c", "k3s"));
        let l = Layouts::of(&[&a, &b, &c, &b]);
        let mut calls = Vec::new();
        let got = l.map(|i| {
            calls.push(i);
            i * 10
        });
        assert_eq!(got, vec![0, 0, 20, 0]);
        assert_eq!(calls, vec![0, 2]);
    }

    #[test]
    fn a_differing_fact_makes_its_own_layout() {
        let a = node("a", "rke2");
        let mut b = node("b", "rke2");
        b.errors.push("/proc unreadable".into());
        assert_eq!(layouts(&[&a, &b]), vec![0, 1]);
    }

    #[test]
    fn beyond_the_remembered_layouts_a_new_node_stands_alone() {
        let unlike: Vec<NodeFacts> = (0..REMEMBERED + 2)
            .map(|i| node(&format!("n{i}"), &format!("d{i}")))
            .collect();
        let again = node("again", &format!("d{}", REMEMBERED + 1));
        let mut all: Vec<&NodeFacts> = unlike.iter().collect();
        all.push(&again);
        let got = layouts(&all);
        assert_eq!(got[REMEMBERED + 1], REMEMBERED + 1, "not remembered");
        assert_eq!(
            got[REMEMBERED + 2],
            REMEMBERED + 2,
            "so its twin stands alone"
        );
        assert_eq!(got[3], 3);
    }
}

#[cfg(test)]
#[path = "layouts_tests.rs"]
mod layouts_tests;
