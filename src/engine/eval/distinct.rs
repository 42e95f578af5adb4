//! Verdicts that compare a file two components name: CIS 2.7 asks that the CA
//! etcd trusts for its clients (`--trusted-ca-file`) is not the one the API
//! server trusts for its own clients (`--client-ca-file`). The same path, or
//! two files with the same SHA-256 digest (recorded by the collector), is one
//! CA serving both; anything that cannot be compared stays WARN with why.

use super::component_settings::Resolved;
use super::{NodeView, Outcome};
use crate::engine::benchmark::{Benchmark, Component};
use crate::engine::report::State;

/// A file flag of one component, as the check names it.
pub struct Named<'a> {
    pub component: Component,
    pub flag: &'a str,
}

impl Named<'_> {
    fn shown(&self, benchmark: &Benchmark, value: &str) -> String {
        format!("{} {}={value}", name(benchmark, self.component), self.flag)
    }
}

fn name(benchmark: &Benchmark, c: Component) -> String {
    benchmark
        .component(c)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| c.key().to_string())
}

/// `own` names a file that is not the file `other` names, by path or by content.
pub fn distinct_file(benchmark: &Benchmark, own: Named, other: Named, view: &NodeView) -> Outcome {
    let expected = format!(
        "{} {} not the file {} {} names (by path or content)",
        name(benchmark, own.component),
        own.flag,
        name(benchmark, other.component),
        other.flag
    );
    let Some(comp) = view.component(own.component) else {
        return Outcome::new(State::NotApplicable, "", &expected, "");
    };
    let (mine, my_source) = match comp.flag(own.flag, None) {
        Resolved::Value { value, source, .. } if !value.trim().is_empty() => (value, source),
        Resolved::Failed(e) => {
            return Outcome::new(State::Error, "unreadable", &expected, "").because(e)
        }
        Resolved::Unknown(why) => {
            return Outcome::new(State::Warn, "unknown", &expected, "").because(why)
        }
        _ => {
            return Outcome::new(
                State::Fail,
                &format!("{} not set", own.flag),
                &expected,
                comp.args_source().unwrap_or_default(),
            )
            .because(format!(
                "{} trusts no CA of its own for its clients",
                name(benchmark, own.component)
            ))
        }
    };
    let mine_shown = own.shown(benchmark, &mine);
    let by_hand = |why: String| {
        Outcome::new(State::Warn, &mine_shown, &expected, &my_source).because(format!(
            "{why}; compare it by hand with {} {} on the node that runs it",
            name(benchmark, other.component),
            other.flag
        ))
    };
    let Some(their_comp) = view.component(other.component) else {
        return by_hand(format!(
            "{} does not run on this node",
            name(benchmark, other.component)
        ));
    };
    let (theirs, their_source) = match their_comp.flag(other.flag, None) {
        Resolved::Value { value, source, .. } if !value.trim().is_empty() => (value, source),
        Resolved::Failed(e) => return by_hand(format!("its arguments could not be read: {e}")),
        _ => {
            return by_hand(format!(
                "{} has no {}: nothing to compare with",
                name(benchmark, other.component),
                other.flag
            ))
        }
    };
    let actual = format!("{mine_shown}; {}", other.shown(benchmark, &theirs));
    let source = format!("{my_source}; {their_source}");
    let outcome = |state: State| Outcome::new(state, &actual, &expected, &source);
    if same_path(&mine, &theirs) {
        return outcome(State::Fail).because(format!("both name {mine}: one CA serves both"));
    }
    let digest = |path: &str| match view.facts.digests.get(path) {
        Some(d) => match (&d.sha256, &d.error) {
            (Some(sum), _) => Ok(sum.clone()),
            (None, e) => Err(e.clone().unwrap_or_else(|| format!("{path} was not read"))),
        },
        None => Err(format!(
            "{path} was not read (collected without node access or by an older cis-scan)"
        )),
    };
    match (digest(&mine), digest(&theirs)) {
        (Ok(a), Ok(b)) if a == b => outcome(State::Fail).because(format!(
            "the two files have the same content (SHA-256 {}…): one CA serves both",
            &a[..12.min(a.len())]
        )),
        (Ok(_), Ok(_)) => outcome(State::Pass).because(format!(
            "different files with different content: {mine} and {theirs}"
        )),
        (Err(e), _) | (_, Err(e)) => Outcome::new(State::Warn, &actual, &expected, &source)
            .because(format!("not compared: {e}")),
    }
}

/// Two paths name the same file when they are equal once repeated and trailing
/// slashes and `.` segments are removed.
fn same_path(a: &str, b: &str) -> bool {
    let norm = |p: &str| -> Vec<String> {
        p.trim()
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(str::to_string)
            .collect()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
#[path = "distinct_tests.rs"]
mod tests;
