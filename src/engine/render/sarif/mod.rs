//! SARIF 2.1.0 (GitHub code scanning, IDE viewers, any SARIF reader): one run whose
//! tool driver has one rule per check, and one result per FAIL, WARN or ERROR check
//! and node. PASS, SKIP and NOT_APPLICABLE are no findings and are left out. A result's
//! location names the node and component as a logical location, and as its artifact
//! the file its evidence was read from (a `file://` URI) or else `node/component`
//! relative to the `NODE` base: code scanning refuses logical-only locations.

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
        } else {
            part.strip_prefix("file ")
                .or_else(|| part.strip_prefix("manifest "))?
        };
        (path.starts_with('/') && path.len() > 1).then_some(path)
    })
}

/// Appends `text` percent-encoded: every byte but ASCII letters, digits and `-._~`
/// (spaces, `%`, `#`, `?`, `/`, non-ASCII, control characters).
fn encode_into(uri: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
}

/// A `file://` URI for an absolute path: each segment percent-encoded, and runs of
/// `/` collapsed so the path never reads as an authority.
pub fn file_uri(path: &str) -> String {
    let mut uri = String::from("file://");
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        uri.push('/');
        encode_into(&mut uri, segment);
    }
    if path.ends_with('/') || uri.len() == "file://".len() {
        uri.push('/');
    }
    uri
}

/// The base of the artifact URIs of results whose evidence names no file
/// (`originalUriBaseIds` says what it stands for).
pub const NODE_BASE: &str = "NODE";

/// The relative URI `node/component` (each percent-encoded, a `/` in a name too),
/// under [`NODE_BASE`], for a result whose evidence names no file: code scanning
/// refuses a whole upload in which a result has no artifact location.
pub fn node_uri(node: &str, component: &str) -> String {
    let mut uri = String::new();
    encode_into(&mut uri, node);
    uri.push('/');
    encode_into(&mut uri, component);
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
    let artifact = match source_file(&n.source) {
        Some(path) => json!({ "uri": file_uri(path) }),
        None => json!({ "uri": node_uri(&n.node, component), "uriBaseId": NODE_BASE }),
    };
    let location = json!({
        "physicalLocation": { "artifactLocation": artifact },
        "logicalLocations": [{ "name": n.node, "fullyQualifiedName": qualified, "kind": "resource" }],
    });
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
