//! Every shipped benchmark against the facts of its source (kube-bench's cfg for generic, EKS,
//! GKE and AKS; Rancher's security-scan for RKE2 and k3s), committed under
//! `tests/definitions_source/`: type, CIS label, scored, component, files, settings and compared
//! values of every check. A difference fails unless `docs/VERDICTS.md` lists it, with its reason,
//! in "Deliberate differences from the benchmarks' sources".
//!
//! Regenerate the facts from the reference: `UPDATE_DEFINITIONS_SOURCE=1 cargo test --locked
//! --test api definitions_source` (reference at /work/shared/reference or `CIS_SCAN_REFERENCE`).

use crate::support::listed_differences::{listed_differences, Difference};
use crate::support::our_facts::{canonical, config_paths, file_sources, ours};
use crate::support::source_facts::{
    extract, facts_dir, read_committed, reference_root, render, CheckFacts,
};
use cis_scan::engine::benchmark::{Benchmark, Catalog};
use std::collections::{BTreeMap, BTreeSet};

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
