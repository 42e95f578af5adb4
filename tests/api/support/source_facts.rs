//! Facts about each shipped benchmark's source (kube-bench's cfg, Rancher's security-scan), taken
//! from the reference control files and written to `tests/definitions_source/<benchmark>.json`:
//! per check its id, CIS label, kube-bench type, scored, the component and files its audit reads,
//! the settings its tests read and the values they compare. Facts only, no prose.

use super::source_items::{audit_component, audit_files, item_value};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The folder (under the reference root) holding a shipped benchmark's source.
/// cis-2.0 is cis-1.12 with remediation changes only (see benchmarks/cis-2.0.yaml).
pub fn source_dir(benchmark: &str) -> String {
    if benchmark.starts_with("rke2-") || benchmark.starts_with("k3s-") {
        format!("rancher-security-scan/cfg/{benchmark}")
    } else if benchmark == "cis-2.0" {
        "kube-bench/cfg/cis-1.12".into()
    } else {
        format!("kube-bench/cfg/{benchmark}")
    }
}

/// The committed facts directory.
pub fn facts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/definitions_source")
}

/// Where the reference lives on a development machine (`CIS_SCAN_REFERENCE` overrides).
pub fn reference_root() -> PathBuf {
    std::env::var_os("CIS_SCAN_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/reference"))
}

/// One benchmark's facts.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct SourceFacts {
    pub benchmark: String,
    pub source: String,
    pub checks: Vec<CheckFacts>,
}

/// One check's facts.
#[derive(Debug, Serialize, Deserialize, PartialEq, Clone)]
pub struct CheckFacts {
    pub id: String,
    /// "automated" or "manual", from the CIS title's suffix; absent when the title has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// kube-bench's type: "test" (runs its tests), "manual" or "skip".
    #[serde(rename = "type")]
    pub kind: String,
    pub scored: bool,
    /// The component whose process or files the audit reads ("cluster" for kubectl).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// `$variables` and absolute paths the audit names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Flags (or config paths) the tests read, whether or not they compare a value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<String>,
    /// The comparisons, normalised: `--flag eq v`, `mode 600`, `owner root:root`, `plugin X on`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A YAML scalar of any type, as text (ids like `2.1` and values like `true` are plain scalars).
#[derive(Debug, Clone, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Any {
            S(String),
            B(bool),
            I(i64),
            F(f64),
        }
        Ok(Text(match Any::deserialize(d)? {
            Any::S(s) => s,
            Any::B(b) => b.to_string(),
            Any::I(i) => i.to_string(),
            Any::F(f) => f.to_string(),
        }))
    }
}

#[derive(Deserialize)]
struct Controls {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    checks: Vec<RefCheck>,
}

#[derive(Deserialize)]
struct RefCheck {
    id: Text,
    #[serde(default)]
    text: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    audit: Option<String>,
    #[serde(default)]
    audit_config: Option<String>,
    #[serde(default)]
    tests: Option<Tests>,
    #[serde(default)]
    scored: Option<bool>,
}

#[derive(Deserialize)]
struct Tests {
    #[serde(default)]
    test_items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    flag: Option<Text>,
    #[serde(default)]
    path: Option<Text>,
    #[serde(default)]
    env: Option<Text>,
    #[serde(default)]
    compare: Option<Compare>,
}

#[derive(Deserialize)]
pub struct Compare {
    pub op: String,
    #[serde(default)]
    pub value: Text,
}

/// Reads a benchmark's source under `root`; None when the folder is absent.
pub fn extract(root: &Path, benchmark: &str) -> Result<Option<SourceFacts>, String> {
    let source = source_dir(benchmark);
    let dir = root.join(&source);
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| p.file_name().is_some_and(|n| n != "config.yaml"))
        .collect();
    names.sort();
    let mut checks = Vec::new();
    for path in names {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{path:?}: {e}"))?;
        let controls: Controls =
            serde_saphyr::from_str(&text).map_err(|e| format!("{path:?}: {e}"))?;
        for group in controls.groups {
            checks.extend(group.checks.into_iter().map(check_facts));
        }
    }
    checks.sort_by_key(|c| id_key(&c.id));
    Ok(Some(SourceFacts {
        benchmark: benchmark.into(),
        source,
        checks,
    }))
}

/// Sorts "1.2.10" after "1.2.9".
pub fn id_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

fn check_facts(c: RefCheck) -> CheckFacts {
    let title = c.text.trim();
    let label = if title.ends_with("(Automated)") {
        Some("automated".to_string())
    } else if title.ends_with("(Manual)") {
        Some("manual".to_string())
    } else {
        None
    };
    let audit = format!(
        "{} {}",
        c.audit.unwrap_or_default(),
        c.audit_config.unwrap_or_default()
    );
    let mut settings = BTreeSet::new();
    let mut values = BTreeSet::new();
    for item in c.tests.map(|t| t.test_items).unwrap_or_default() {
        let name = item.flag.or(item.path).or(item.env).unwrap_or_default().0;
        if let Some(v) = item_value(&name, item.compare.as_ref()) {
            values.insert(v);
        }
        if name.starts_with("--") || name.starts_with("{.") {
            settings.insert(name);
        }
    }
    CheckFacts {
        id: c.id.0,
        label,
        kind: c.kind.unwrap_or_else(|| "test".into()),
        scored: c.scored.unwrap_or(false),
        component: audit_component(&audit).map(str::to_string),
        files: audit_files(&audit),
        settings: settings.into_iter().collect(),
        values: values.into_iter().collect(),
    }
}

/// The committed file's text: one check per line so a diff shows which check changed.
pub fn render(facts: &SourceFacts) -> String {
    let mut out = format!(
        "{{\"benchmark\": {}, \"source\": {}, \"checks\": [\n",
        serde_json::to_string(&facts.benchmark).unwrap(),
        serde_json::to_string(&facts.source).unwrap()
    );
    let lines: Vec<String> = facts
        .checks
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n]}\n");
    out
}

/// Reads a committed facts file.
pub fn read_committed(benchmark: &str) -> Result<SourceFacts, String> {
    let path = facts_dir().join(format!("{benchmark}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
