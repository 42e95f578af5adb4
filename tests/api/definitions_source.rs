//! Every shipped benchmark against the facts of its source (kube-bench's cfg for generic, EKS,
//! GKE and AKS; Rancher's security-scan for RKE2 and k3s), committed under
//! `tests/definitions_source/`: type, CIS label, scored, component, files, settings and compared
//! values of every check. A difference fails unless `docs/VERDICTS.md` lists it, with its reason,
//! in "Deliberate differences from the benchmarks' sources".
//!
//! Regenerate the facts from the reference: `UPDATE_DEFINITIONS_SOURCE=1 cargo test --locked
//! --test api definitions_source` (reference at /work/shared/reference or `CIS_SCAN_REFERENCE`).

use crate::support::source_facts::{
    extract, facts_dir, read_committed, reference_root, render, CheckFacts,
};
use cis_scan::engine::benchmark::{
    Benchmark, Catalog, Check, Condition, FileExpect, Setting, ValueOp,
};
use std::collections::{BTreeMap, BTreeSet};

/// One difference between a shipped check and its source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Difference {
    benchmark: String,
    check: String,
    aspect: &'static str,
    detail: String,
}

/// A row of the VERDICTS.md table: which benchmarks and checks, which aspect, why.
struct Listed {
    benchmarks: Vec<String>,
    checks: Vec<String>,
    aspects: Vec<String>,
    reason: String,
}

impl Listed {
    fn covers(&self, d: &Difference) -> bool {
        self.aspects.iter().any(|a| a == d.aspect)
            && self.benchmarks.iter().any(|g| glob(g, &d.benchmark))
            && self.checks.iter().any(|g| glob(g, &d.check))
    }
}

/// `*` matches any run of characters; everything else literally.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

const SECTION: &str = "## Deliberate differences from the benchmarks' sources";

fn listed_differences() -> Vec<Listed> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/VERDICTS.md");
    let text = std::fs::read_to_string(path).expect("docs/VERDICTS.md");
    let start = text.find(SECTION).expect("VERDICTS.md has the section");
    let body = &text[start + SECTION.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    body.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("| benchmarks") && !l.starts_with("|--"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(
                cells.len(),
                4,
                "a row has benchmarks | checks | aspect | reason: {l}"
            );
            let list = |s: &str| {
                s.split(',')
                    .map(|x| x.trim().trim_matches('`').to_string())
                    .collect()
            };
            assert!(
                !cells[3].is_empty(),
                "a listed difference needs its reason: {l}"
            );
            Listed {
                benchmarks: list(cells[0]),
                checks: list(cells[1]),
                aspects: list(cells[2]),
                reason: cells[3].to_string(),
            }
        })
        .collect()
}

/// Our check, reduced to the facts the source has.
struct OurFacts {
    label: &'static str,
    skip: bool,
    scored: bool,
    automated: bool,
    policy: bool,
    component: &'static str,
    file: Option<String>,
    settings: BTreeSet<String>,
    values: BTreeSet<String>,
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn walk(c: &Condition, out: &mut OurFacts) {
    match c {
        Condition::All(list) | Condition::Any(list) => list.iter().for_each(|c| walk(c, out)),
        Condition::Setting { setting, op, .. } => {
            let name = match setting {
                Setting::Flag(f) => f.clone(),
                Setting::Gate(g) => format!("gate {g}"),
                Setting::Unit(u) => format!("unit {u}"),
            };
            out.settings.insert(match setting {
                Setting::Flag(f) => f.clone(),
                Setting::Gate(_) => "--feature-gates".into(),
                Setting::Unit(u) => format!("unit {u}"),
            });
            let value = match op {
                ValueOp::Set | ValueOp::Unset => None,
                ValueOp::Eq(v) => Some(format!("eq {v}")),
                ValueOp::Ne(v) => Some(format!("ne {v}")),
                ValueOp::Gte(n) => Some(format!("gte {}", number(*n))),
                ValueOp::Lte(n) => Some(format!("lte {}", number(*n))),
                ValueOp::Has(v) => Some(format!("has {v}")),
                ValueOp::Lacks(v) => Some(format!("lacks {v}")),
                ValueOp::Only(list) => {
                    let mut l = list.clone();
                    l.sort();
                    Some(format!("only {}", l.join(",")))
                }
                ValueOp::StartsWith(list) => Some(format!("starts_with {}", list.join(","))),
            };
            if let Some(v) = value {
                out.values.insert(format!("{name} {v}"));
            }
        }
        Condition::Plugin { name, enabled } => {
            out.settings.insert("--enable-admission-plugins".into());
            out.settings.insert("--disable-admission-plugins".into());
            let on = if *enabled { "on" } else { "off" };
            out.values.insert(format!("plugin {name} {on}"));
        }
        Condition::File { file, expect, .. } => {
            out.file = Some(file.clone());
            out.values.insert(match expect {
                FileExpect::Mode(m) => format!("mode {m:o}"),
                FileExpect::Owner { user, group } => format!("owner {user}:{group}"),
            });
        }
        Condition::EncryptionProviders(list) => {
            out.settings.insert("--encryption-provider-config".into());
            let mut l = list.clone();
            l.sort();
            out.values.insert(format!("provider only {}", l.join(",")));
        }
        Condition::EventRateLimit => {
            out.settings.insert("--enable-admission-plugins".into());
            out.settings
                .insert("--admission-control-config-file".into());
            out.values.insert("plugin EventRateLimit on".into());
        }
        Condition::AuditPolicy => {
            out.settings.insert("--audit-policy-file".into());
        }
        Condition::Policy(_) => out.policy = true,
    }
}

fn ours(check: &Check) -> OurFacts {
    let mut out = OurFacts {
        label: if check.benchmark_manual {
            "manual"
        } else {
            "automated"
        },
        skip: check.skip.is_some(),
        scored: check.scored,
        automated: check.automated(),
        policy: false,
        component: check.rule.component.key(),
        file: None,
        settings: BTreeSet::new(),
        values: BTreeSet::new(),
    };
    if let Some(test) = &check.rule.test {
        walk(test, &mut out);
    }
    out
}

/// The source's `$variables` and paths a file of ours stands for.
fn file_sources(file: &str) -> &'static [&'static str] {
    match file {
        "apiserver-manifest" => &["$apiserverconf"],
        "controllermanager-manifest" => &["$controllermanagerconf"],
        "scheduler-manifest" => &["$schedulerconf"],
        "etcd-manifest" => &["$etcdconf"],
        "cni-files" => &["/etc/cni/net.d", "/var/lib/cni/networks"],
        "etcd-data-dir" => &["$etcddatadir", "$etcdbin"],
        "admin-kubeconfig" => &[
            "$adminconf",
            "/etc/kubernetes/admin.conf",
            "/var/lib/rancher/k3s/server/cred/admin.kubeconfig",
            "/var/lib/rancher/rke2/server/cred/admin.kubeconfig",
        ],
        "scheduler-kubeconfig" => &["$schedulerkubeconfig"],
        "controllermanager-kubeconfig" => &["$controllermanagerkubeconfig"],
        "pki" => &[
            "/etc/kubernetes/pki/",
            "/var/lib/rancher/k3s/server/tls",
            "/var/lib/rancher/k3s/server/tls/*.crt",
            "/var/lib/rancher/k3s/server/tls/*.key",
            "/var/lib/rancher/rke2/server/tls",
            "/var/lib/rancher/rke2/server/tls/*.crt",
            "/var/lib/rancher/rke2/server/tls/*.key",
        ],
        "kubelet-service" => &["$kubeletsvc"],
        "proxy-kubeconfig" => &["$proxykubeconfig"],
        "kubelet-kubeconfig" => &["$kubeletkubeconfig"],
        "kubelet-ca" => &["$kubeletcafile"],
        "kubelet-config" => &["$kubeletconf", "/home/kubernetes/kubelet-config.yaml"],
        "azure-json" => &["/etc/kubernetes/azure.json"],
        _ => &[],
    }
}

/// `{.a.b}` config paths as the flags our components map them to; booleans compared one way.
fn canonical(
    values: impl IntoIterator<Item = String>,
    keys: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    values
        .into_iter()
        .map(|v| {
            let v = match v.split_once(' ') {
                Some((name, rest)) if name.starts_with("{.") => {
                    format!("{} {rest}", keys.get(name).map_or(name, |f| f.as_str()))
                }
                _ => v,
            };
            for (from, to) in [(" ne true", " eq false"), (" ne false", " eq true")] {
                if let Some(head) = v.strip_suffix(from) {
                    return format!("{head}{to}");
                }
            }
            if let Some(gate) = v
                .strip_prefix("gate ")
                .and_then(|g| g.strip_suffix(" lacks false"))
            {
                return format!("gate {gate} eq true");
            }
            v
        })
        .collect()
}

/// Every config path our components know, as the flag it stands for.
fn config_paths(b: &Benchmark) -> BTreeMap<String, String> {
    b.components
        .values()
        .flat_map(|c| c.config_keys.iter())
        .map(|(flag, key)| (format!("{{.{key}}}"), flag.clone()))
        .collect()
}

fn compare(b: &Benchmark, source: &[CheckFacts], out: &mut Vec<Difference>) {
    let keys = config_paths(b);
    let mut diff = |check: &str, aspect: &'static str, detail: String| {
        out.push(Difference {
            benchmark: b.id.clone(),
            check: check.into(),
            aspect,
            detail,
        })
    };
    let theirs: BTreeMap<&str, &CheckFacts> = source.iter().map(|c| (c.id.as_str(), c)).collect();
    for c in &b.checks {
        if !theirs.contains_key(c.id.as_str()) {
            diff(&c.id, "presence", "ours only".into());
        }
    }
    for s in source {
        let Some(check) = b.check(&s.id) else {
            diff(&s.id, "presence", "source only".into());
            continue;
        };
        let o = ours(check);
        if (s.kind == "skip") != o.skip {
            diff(
                &s.id,
                "skip",
                format!("source type {}, ours skipped: {}", s.kind, o.skip),
            );
        }
        if s.label.as_deref().is_some_and(|l| l != o.label) {
            diff(
                &s.id,
                "label",
                format!("source {:?}, ours {}", s.label, o.label),
            );
        }
        if s.scored != o.scored {
            diff(
                &s.id,
                "scored",
                format!("source {}, ours {}", s.scored, o.scored),
            );
        }
        if s.kind == "skip" || o.skip {
            continue;
        }
        if s.kind == "test" && !o.automated {
            diff(
                &s.id,
                "automation",
                "the source tests it, ours leaves it to a person".into(),
            );
        }
        if let (Some(theirs), false) = (s.component.as_deref(), o.component == "cluster") {
            if theirs != o.component && theirs != "cluster" {
                diff(
                    &s.id,
                    "component",
                    format!("source {theirs}, ours {}", o.component),
                );
            }
        }
        if let Some(file) = &o.file {
            let accepted = file_sources(file);
            if !s.files.is_empty() && !s.files.iter().any(|f| accepted.contains(&f.as_str())) {
                diff(&s.id, "file", format!("source {:?}, ours {file}", s.files));
            }
        }
        if s.values.is_empty() && s.settings.is_empty() || !o.automated || o.policy {
            continue;
        }
        let theirs = canonical(s.values.iter().cloned(), &keys);
        let mine = canonical(o.values.iter().cloned(), &keys);
        if theirs != mine {
            let only_theirs: Vec<_> = theirs.difference(&mine).collect();
            let only_mine: Vec<_> = mine.difference(&theirs).collect();
            diff(
                &s.id,
                "values",
                format!("source only {only_theirs:?}, ours only {only_mine:?}"),
            );
        }
        let theirs: BTreeSet<String> = s
            .settings
            .iter()
            .map(|n| keys.get(n).cloned().unwrap_or_else(|| n.clone()))
            .collect();
        // ours may read more (an alternative that also complies), never less
        if o.file.is_none() && !theirs.is_subset(&o.settings) {
            diff(
                &s.id,
                "settings",
                format!("source {theirs:?}, ours {:?}", o.settings),
            );
        }
    }
}

fn shipped() -> Vec<std::sync::Arc<Benchmark>> {
    Catalog::embedded().unwrap().all().unwrap()
}

#[test]
fn every_shipped_benchmark_matches_its_source_or_lists_why_not() {
    let listed = listed_differences();
    let mut found = Vec::new();
    for b in shipped() {
        let facts = read_committed(&b.id).unwrap_or_else(|e| panic!("{}: {e}", b.id));
        compare(&b, &facts.checks, &mut found);
    }
    let unlisted: Vec<String> = found
        .iter()
        .filter(|d| !listed.iter().any(|l| l.covers(d)))
        .map(|d| format!("{} {} {}: {}", d.benchmark, d.check, d.aspect, d.detail))
        .collect();
    assert!(
        unlisted.is_empty(),
        "{} differences from the source not listed in docs/VERDICTS.md:\n{}",
        unlisted.len(),
        unlisted.join("\n")
    );
    let stale: Vec<String> = listed
        .iter()
        .filter(|l| !found.iter().any(|d| l.covers(d)))
        .map(|l| {
            format!(
                "{:?} {:?} {:?}: {}",
                l.benchmarks, l.checks, l.aspects, l.reason
            )
        })
        .collect();
    assert!(
        stale.is_empty(),
        "listed differences that no longer exist:\n{}",
        stale.join("\n")
    );
}

#[test]
fn cis_1_8_judges_the_api_server_ciphers_with_its_own_list() {
    let c = Catalog::embedded().unwrap();
    let check = c.get("cis-1.8").unwrap().check("1.2.30").unwrap().clone();
    let mut f = ours(&check);
    f.values.retain(|v| v.starts_with("--tls-cipher-suites"));
    let list = f.values.iter().next().expect("a cipher list");
    assert!(list.contains("TLS_RSA_WITH_AES_128_CBC_SHA"), "{list}");
    assert_eq!(list.split(',').count(), 21, "{list}");
}

#[test]
fn committed_source_facts_are_the_references_facts() {
    let root = reference_root();
    if !root.is_dir() {
        eprintln!(
            "skipped: no reference at {} (set CIS_SCAN_REFERENCE)",
            root.display()
        );
        return;
    }
    let update = std::env::var_os("UPDATE_DEFINITIONS_SOURCE").is_some();
    let mut drifted = Vec::new();
    for b in shipped() {
        let facts = extract(&root, &b.id)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("{}: no source under {}", b.id, root.display()));
        let path = facts_dir().join(format!("{}.json", b.id));
        let text = render(&facts);
        if update {
            std::fs::create_dir_all(facts_dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            drifted.push(b.id.clone());
        }
    }
    assert!(
        drifted.is_empty(),
        "committed facts differ from the reference for {drifted:?}; rerun with UPDATE_DEFINITIONS_SOURCE=1"
    );
}
