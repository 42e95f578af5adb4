//! What the evaluator knows about a check and a node beyond a result's source,
//! so that the result's `audit` names the exact process, drop-ins, files or
//! API lists (see `engine::audit`).

use super::NodeView;
use crate::engine::audit::AuditHints;
use crate::engine::benchmark::{Benchmark, Check, Component, Condition};

/// The hints for `check` on one node (`view`), or for the cluster (None).
pub(super) fn hints<'a>(
    benchmark: &'a Benchmark,
    check: &'a Check,
    view: Option<&'a NodeView<'a>>,
) -> AuditHints<'a> {
    let rule = &check.rule;
    let comp = view.and_then(|v| v.component(rule.component));
    let config = comp.and_then(|c| c.facts.config.as_ref());
    let file_test = rule.test.as_ref().and_then(file_test);
    AuditHints {
        binary: (rule.component != Component::Cluster)
            .then(|| benchmark.component(rule.component))
            .flatten()
            .map(|s| s.name.as_str())
            .filter(|n| !n.is_empty()),
        args_source: comp.and_then(|c| c.args_source()),
        config: config.filter(|c| !c.drop_ins_only).map(|c| c.path.as_str()),
        drop_ins: config.map(|c| c.drop_ins.as_slice()).unwrap_or_default(),
        files: file_test
            .and_then(|(key, _)| view?.facts.files.get(key))
            .map(|f| f.entries.as_slice())
            .unwrap_or_default(),
        pattern: file_test.and_then(|(_, pattern)| pattern),
        api_reads: match &rule.test {
            Some(Condition::Policy(name)) => name.reads(),
            _ => &[],
        },
    }
}

/// The first file test: the files' logical name and its name pattern.
fn file_test(c: &Condition) -> Option<(&str, Option<&str>)> {
    match c {
        Condition::All(list) | Condition::Any(list) => list.iter().find_map(file_test),
        Condition::File { file, pattern, .. } => Some((file.as_str(), pattern.as_deref())),
        _ => None,
    }
}
