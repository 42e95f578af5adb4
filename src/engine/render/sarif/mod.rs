//! SARIF 2.1.0 (GitHub code scanning, IDE viewers, any SARIF reader): one run whose
//! tool driver has one rule per check, and one result per FAIL, WARN or ERROR check
//! and node. PASS, SKIP and NOT_APPLICABLE are no findings and are left out. A result
//! points at the file its evidence was read from (a `file://` URI) when there is one,
//! and always names the node and component as a logical location.

mod renderer;

pub use renderer::Sarif;

use crate::engine::report::{CheckResult, NodeResult, State};
use serde_json::{json, Value};

/// The SARIF version the document follows.
pub const SARIF_VERSION: &str = "2.1.0";

/// The schema the document names (OASIS's, errata 01).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where a reader learns about the tool (`tool.driver.informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/cis-scan/cis-scan";

/// How serious a result is (`result.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    /// The SARIF name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// The level of a node result's SARIF result; `None` for a state that is no finding.
/// ERROR (the check could not be evaluated) is an error, like FAIL: SARIF's own
/// kinds for it (`open`, `review`) require level `none` (SARIF §3.27.10), which
/// readers such as code scanning show as a mere note, while `check` fails a CI job on
/// ERROR exactly as on FAIL. The result's `state` property tells the two apart.
pub fn level(state: State) -> Option<Level> {
    match state {
        State::Fail | State::Error => Some(Level::Error),
        State::Warn => Some(Level::Warning),
        State::Pass | State::Skip | State::NotApplicable => None,
    }
}

/// The absolute path of the file a node result's `source` names (`file P`,
/// `manifest P`, `config file P (key)`, `systemd unit P + Q`; the first of
/// several joined by `; `), if any.
pub fn source_file(source: &str) -> Option<&str> {
    source.split("; ").find_map(|part| {
        let part = part.strip_suffix(" --feature-gates").unwrap_or(part);
        let path = if let Some(p) = part.strip_prefix("config file ") {
            // the key in parentheses comes last
            match p.strip_suffix(')').and_then(|q| q.rsplit_once(" (")) {
                Some((path, _)) => path,
                None => p,
            }
        } else if let Some(p) = part.strip_prefix("systemd unit ") {
            p.split(" + ").next().unwrap_or(p)
        } else if let Some(p) = part
            .strip_prefix("file ")
            .or_else(|| part.strip_prefix("manifest "))
        {
            p
        } else {
            return None;
        };
        (path.starts_with('/') && path.len() > 1).then_some(path)
    })
}

/// A `file://` URI for an absolute path: every byte but ASCII letters, digits,
/// `-._~` and `/` percent-encoded (spaces, `%`, `#`, `?`, non-ASCII, control
/// characters), and runs of `/` collapsed so the path never reads as an authority.
pub fn file_uri(path: &str) -> String {
    let mut uri = String::from("file://");
    let mut slash = false;
    for b in path.bytes() {
        if b == b'/' {
            if !slash {
                uri.push('/');
            }
            slash = true;
            continue;
        }
        slash = false;
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// A plain-text SARIF message: `{` and `}` doubled, as SARIF §3.11.5 requires of any
/// message text (a reader takes `{0}` for a placeholder).
pub fn message_text(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// A rule's name: the check's rule id (`kubelet-config-mode-644`) in Pascal case.
pub fn rule_name(c: &CheckResult) -> String {
    let name: String = c
        .rule
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect();
    if name.is_empty() {
        format!("Check{}", c.id)
    } else {
        name
    }
}

/// The reporting descriptor of one check.
pub fn rule(c: &CheckResult, benchmark: &str) -> Value {
    let remediation = if c.remediation.trim().is_empty() {
        format!("See the benchmark's remediation for {}.", c.id)
    } else {
        c.remediation.clone()
    };
    json!({
        "id": c.id,
        "name": rule_name(c),
        "shortDescription": { "text": format!("{} {}", c.id, c.title) },
        "fullDescription": { "text": format!(
            "{} {} ({} section {}, {}; {}, {})",
            c.id,
            c.title,
            benchmark,
            c.section,
            c.target,
            if c.scored { "scored" } else { "not scored" },
            if c.automated { "automated" } else { "manual" },
        ) },
        "help": { "text": remediation },
        "properties": {
            "benchmark": benchmark,
            "section": c.section,
            "target": c.target,
            "scored": c.scored,
            "automated": c.automated,
            "cisRule": c.rule,
            "tags": ["security", "cis-kubernetes", benchmark, c.target],
        },
    })
}

/// The component a result is about: the process its evidence names, else the check's target.
fn component<'a>(c: &'a CheckResult, n: &'a NodeResult) -> &'a str {
    n.source
        .strip_prefix("process ")
        .and_then(|p| p.split_once(" ("))
        .and_then(|(_, bin)| bin.split_once(')'))
        .map_or(c.target.as_str(), |(bin, _)| bin)
}

/// The evidence of one check on one node, as a result's message.
fn evidence(c: &CheckResult, n: &NodeResult) -> String {
    let mut s = format!(
        "{} {} on {}: {}\nactual: {}\nexpected: {}\nsource: {}",
        c.id,
        n.state.as_str(),
        n.node,
        c.title,
        n.actual,
        n.expected,
        n.source
    );
    if let Some(reason) = n.reason.as_ref().or(c.reason.as_ref()) {
        s.push_str(&format!("\nreason: {reason}"));
    }
    message_text(&s)
}

/// The result of one check on one node, `None` when its state is no finding.
pub fn result(
    c: &CheckResult,
    n: &NodeResult,
    index: usize,
    cluster: Option<&str>,
) -> Option<Value> {
    let level = level(n.state)?;
    let component = component(c, n);
    let qualified = match cluster {
        Some(cluster) => format!("{cluster}/{}/{component}", n.node),
        None => format!("{}/{component}", n.node),
    };
    let mut location = json!({
        "logicalLocations": [{ "name": n.node, "fullyQualifiedName": qualified, "kind": "resource" }],
    });
    if let Some(path) = source_file(&n.source) {
        location["physicalLocation"] = json!({ "artifactLocation": { "uri": file_uri(path) } });
    }
    Some(json!({
        "ruleId": c.id,
        "ruleIndex": index,
        "kind": "fail",
        "level": level.as_str(),
        "message": { "text": evidence(c, n) },
        "locations": [location],
        // the same check on the same node is the same alert from one scan to the next
        "partialFingerprints": { "cisScanCheckOnNode/v1": format!("{}:{}:{}", c.rule, c.id, n.node) },
        "properties": { "node": n.node, "state": n.state.as_str(), "component": component },
    }))
}

#[cfg(test)]
mod tests;
