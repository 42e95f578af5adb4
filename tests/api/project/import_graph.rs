//! The crate's import graph, read from `src/`: no cycle between files, no cycle
//! between top-level modules, and each layer imports only those below it
//! (docs/ARCHITECTURE.md). A failure lists the cycle or the upward import.

use crate::support::imports::{cycles, ImportGraph};

fn graph() -> ImportGraph {
    ImportGraph::read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_import_cycle_between_files() {
    let g = graph();
    assert!(g.files() > 100, "read only {} files", g.files());
    let found = cycles(&g.file_edges());
    assert!(
        found.is_empty(),
        "{} file-level import cycle(s):\n{}",
        found.len(),
        found
            .iter()
            .map(|c| format!("  {}", c.join(" -> ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let found = cycles(&graph().top_level_edges());
    assert!(found.is_empty(), "top-level module cycles: {found:?}");
}

/// Which layer each top-level module is in; a module imports only lower layers
/// (or its own). The engine has its own error; `error` sits just above it
/// (the crate's error wraps the engine's) and below every other layer, which
/// all report through it.
fn layer(top: &str) -> Option<u8> {
    Some(match top {
        "engine" => 0,
        "error" => 1,
        "sources" => 2,
        "service" => 3,
        "api" => 4,
        "cli" => 5,
        _ => return None,
    })
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let mut upward = Vec::new();
    for (from, to) in graph().file_edges_with_tops() {
        let (Some(a), Some(b)) = (layer(&from.1), layer(&to.1)) else {
            continue;
        };
        if b > a {
            upward.push(format!(
                "{} ({}) imports {} ({})",
                from.0, from.1, to.0, to.1
            ));
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "upward imports:\n  {}",
        upward.join("\n  ")
    );
}

#[test]
fn a_planted_cycle_is_found() {
    let edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .iter()
        .map(|(x, y)| (x.to_string(), y.to_string()))
        .collect();
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c", "a"]]);
}
