//! The conformance corpus (`tests/conformance/`): every case is one node described as data,
//! collected with the real collector and judged with an embedded benchmark. One test runs
//! them all and lists every verdict that differs from what the benchmark's text calls for.
//! `CONFORMANCE_CASE=<part of a path>` runs only the cases whose path contains it.

use crate::support::conformance_case::{case_files, Case};
use cis_scan::engine::benchmark::Catalog;
use cis_scan::engine::eval::{evaluate_with_progress, Input};
use cis_scan::engine::report::{NodeResult, Report, State};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// What one case's node saw for a check: its state and the evidence a reader needs.
struct Seen<'a> {
    state: State,
    node: Option<&'a NodeResult>,
    check_reason: Option<&'a str>,
}

impl Seen<'_> {
    fn describe(&self) -> String {
        match self.node {
            Some(n) => format!(
                "{} (actual {:?}, source {:?}, reason {:?})",
                n.state.as_str(),
                n.actual,
                n.source,
                n.reason.as_deref().or(self.check_reason)
            ),
            None => format!("{} (reason {:?})", self.state.as_str(), self.check_reason),
        }
    }

    fn mentions(&self, text: &str) -> bool {
        let node = self.node.is_some_and(|n| {
            n.actual.contains(text)
                || n.source.contains(text)
                || n.reason.as_deref().is_some_and(|r| r.contains(text))
        });
        node || self.check_reason.is_some_and(|r| r.contains(text))
    }
}

/// The case node's result for `id`: its own result when it has one, else the check's
/// (section 5 checks are judged for "cluster").
fn seen<'a>(report: &'a Report, id: &str, node: &str) -> Option<Seen<'a>> {
    let r = report.results.iter().find(|r| r.id == id)?;
    let n = r.nodes.iter().find(|n| n.node == node).or(r.nodes.first());
    Some(Seen {
        state: n.map_or(r.state, |n| n.state),
        node: n,
        check_reason: r.reason.as_deref(),
    })
}

/// Runs one case; every mismatch or refusal is one line.
fn run(catalog: &Catalog, file: &Path) -> Vec<String> {
    let case = match Case::read(file) {
        Ok(c) => c,
        Err(e) => return vec![format!("refused: {e}")],
    };
    let benchmark = match catalog.get(&case.benchmark) {
        Ok(b) => b,
        Err(e) => return vec![format!("refused: {e}")],
    };
    let expected = match case.expectations(&benchmark) {
        Ok(x) => x,
        Err(e) => return vec![format!("refused: {e}")],
    };
    let host = match case.host_root() {
        Ok(h) => h,
        Err(e) => return vec![format!("refused: {e}")],
    };
    let nodes = [host.collect(&case.node)];
    let input = Input {
        nodes: &nodes,
        managed_by: case.managed_by.as_deref(),
        ..Default::default()
    };
    let report = evaluate_with_progress(&benchmark, &input, &mut |_, _| {});
    let why = case.why.as_deref().unwrap_or_default().trim();
    let mut wrong = Vec::new();
    for (id, want) in &expected {
        let Some(got) = seen(&report, id, &case.node) else {
            wrong.push(format!("{id}: expected {}, got no result", want.as_str()));
            continue;
        };
        if got.state != *want {
            wrong.push(format!(
                "{id}: expected {}, got {}\n    why: {why}",
                want.as_str(),
                got.describe()
            ));
        }
    }
    for (id, text) in &case.expect_text {
        match seen(&report, id, &case.node) {
            Some(got) if got.mentions(text) => {}
            Some(got) => wrong.push(format!(
                "{id}: expected evidence containing {text:?}, got {}\n    why: {why}",
                got.describe()
            )),
            None => wrong.push(format!("{id}: expected evidence {text:?}, got no result")),
        }
    }
    wrong
}

#[test]
fn every_conformance_case_gets_the_verdicts_its_benchmark_calls_for() {
    let root = corpus();
    let only = std::env::var("CONFORMANCE_CASE").ok();
    let files: Vec<PathBuf> = case_files(&root)
        .into_iter()
        .filter(|f| {
            only.as_deref()
                .is_none_or(|o| f.to_string_lossy().contains(o))
        })
        .collect();
    assert!(
        !files.is_empty(),
        "no case under {} matches {only:?}",
        root.display()
    );
    let catalog = Catalog::embedded().unwrap();
    let mut failures = Vec::new();
    for file in &files {
        let wrong = run(&catalog, file);
        if !wrong.is_empty() {
            let name = file.strip_prefix(&root).unwrap_or(file).display();
            failures.push(format!("{name}:\n  {}", wrong.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases disagree:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// The refusal `expectations` gives a case written as `text`, judged under cis-1.8.
fn refusal(text: &str) -> String {
    let case = Case::parse(text).unwrap();
    let b = Catalog::embedded().unwrap().get("cis-1.8").unwrap();
    case.expectations(&b).unwrap_err()
}

const WHY: &str = "why: the audit says so\n";
const SOURCE: &str = "source: CIS 1.8\n";
const BENCH: &str = "benchmark: cis-1.8\n";

#[test]
fn a_case_without_why_is_refused() {
    let r = refusal(&format!("{SOURCE}{BENCH}expect: {{\"1.2.16\": FAIL}}\n"));
    assert!(r.contains("no `why`"), "{r}");
}

#[test]
fn a_case_without_source_is_refused() {
    let r = refusal(&format!("{WHY}{BENCH}expect: {{\"1.2.16\": FAIL}}\n"));
    assert!(r.contains("no `source`"), "{r}");
}

#[test]
fn a_case_without_expect_is_refused() {
    let r = refusal(&format!("{WHY}{SOURCE}{BENCH}"));
    assert!(r.contains("no `expect`"), "{r}");
}

#[test]
fn a_case_expecting_a_check_the_benchmark_lacks_is_refused() {
    let r = refusal(&format!(
        "{WHY}{SOURCE}{BENCH}expect: {{\"9.9.9\": PASS}}\n"
    ));
    assert!(r.contains("9.9.9: cis-1.8 has no such check"), "{r}");
}

#[test]
fn a_case_with_an_unknown_verdict_is_refused() {
    let r = refusal(&format!(
        "{WHY}{SOURCE}{BENCH}expect: {{\"1.2.16\": FAILED}}\n"
    ));
    assert!(r.contains("unknown verdict 'FAILED'"), "{r}");
}

#[test]
fn a_case_with_an_unknown_field_is_refused() {
    let err = Case::parse(&format!("{WHY}{SOURCE}{BENCH}expected: {{}}\n")).unwrap_err();
    assert!(err.contains("expected"), "{err}");
}
