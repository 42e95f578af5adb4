//! Benchmark versions that keep another version's checks: `extends: cis-1.12`
//! takes the base's sections and checks (ids, rules, scored and manual labels,
//! skips) as they are, and `changes:` lists only what this version words
//! differently. Each check's values then live in one file, the base's, and a
//! fix there reaches every version that keeps the check; a version that
//! changes a check says so in its own file.

use super::info::BenchmarkInfo;
use super::model::{Benchmark, Rule};
use super::raw::RawExtension;
use crate::engine::error::{EngineError, Result};
use std::collections::HashSet;
use std::sync::Arc;

fn def_err(file: &str, check: &str, message: impl Into<String>) -> EngineError {
    EngineError::Definition {
        file: file.to_string(),
        check: check.to_string(),
        message: message.into(),
    }
}

/// An extending benchmark names a known benchmark that extends none itself:
/// one level keeps "where does this check's value come from" one file away.
pub(super) fn check_base<'a>(
    file: &str,
    info: &BenchmarkInfo,
    all: impl IntoIterator<Item = &'a BenchmarkInfo>,
) -> Result<()> {
    let Some(base) = &info.extends else {
        return Ok(());
    };
    match all.into_iter().find(|x| x.id == *base) {
        None => Err(def_err(
            file,
            &info.id,
            format!("extends unknown benchmark '{base}'"),
        )),
        Some(b) if b.extends.is_some() => {
            let m = format!("extends '{base}', which extends another benchmark itself");
            Err(def_err(file, &info.id, m))
        }
        Some(_) => Ok(()),
    }
}

/// Builds the benchmark an extending file describes: `base` with this file's
/// id, title, provider and Kubernetes versions (read already into `info`) and
/// its changes. A change naming no check of the base, a check changed twice or
/// an empty remediation is an error naming the file and the check.
pub fn parse_extension(
    file: &str,
    text: &str,
    info: &BenchmarkInfo,
    base: &Benchmark,
) -> Result<Benchmark> {
    let raw: RawExtension = super::load::parse_definition(file, text)?;
    let same = raw.id == info.id && raw.title == info.title;
    if !same || info.extends.as_deref() != Some(raw.extends.as_str()) {
        return Err(def_err(file, &raw.id, "header read differently"));
    }
    if raw.extends != base.id {
        let m = format!("extends '{}' but was given '{}'", raw.extends, base.id);
        return Err(def_err(file, &raw.id, m));
    }
    let mut b = base.clone();
    b.id = info.id.clone();
    b.title = info.title.clone();
    b.provider = info.provider;
    b.kubernetes_min = info.kubernetes_min;
    b.kubernetes_max = info.kubernetes_max;
    let mut seen = HashSet::new();
    for change in raw.changes {
        if !seen.insert(change.id.clone()) {
            return Err(def_err(file, &change.id, "check changed twice"));
        }
        let remediation = change.remediation.trim();
        if remediation.is_empty() {
            return Err(def_err(file, &change.id, "remediation is empty"));
        }
        let check = b.checks.iter_mut().find(|c| c.id == change.id);
        let Some(check) = check else {
            let m = format!("'{}' is not a check of {}", change.id, base.id);
            return Err(def_err(file, &change.id, m));
        };
        // the rule's test stays shared; only this version's copy is reworded
        check.rule = Arc::new(Rule {
            remediation: remediation.to_string(),
            ..(*check.rule).clone()
        });
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::benchmark::load::parse_header;
    use crate::engine::benchmark::Catalog;

    const TEXT: &str = "id: v2\ntitle: V2\nkubernetes: {min: \"1.34\", max: \"1.35\"}\nextends: cis-1.12\nchanges:\n  - {id: \"1.2.29\", remediation: \"new words\"}\n";

    fn base() -> Arc<Benchmark> {
        Catalog::embedded().unwrap().get("cis-1.12").unwrap()
    }

    fn extend_on(text: &str, base: &Benchmark) -> Result<Benchmark> {
        let info = parse_header("v2.yaml", text)?;
        parse_extension("v2.yaml", text, &info, base)
    }

    fn extend(text: &str) -> Result<Benchmark> {
        extend_on(text, &base())
    }

    #[test]
    fn an_extension_keeps_every_check_of_its_base_under_its_own_id_and_versions() {
        let base = base();
        let b = extend_on(TEXT, &base).unwrap();
        assert_eq!((b.id.as_str(), b.title.as_str()), ("v2", "V2"));
        assert_eq!(
            (b.kubernetes_min, b.kubernetes_max),
            (Some((1, 34)), Some((1, 35)))
        );
        let ids = |b: &Benchmark| b.checks.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&b), ids(&base));
        let (mine, theirs) = (b.check("1.2.1").unwrap(), base.check("1.2.1").unwrap());
        assert!(
            Arc::ptr_eq(&mine.rule, &theirs.rule),
            "unchanged checks share the rule"
        );
        assert_eq!(
            (mine.scored, mine.benchmark_manual),
            (theirs.scored, theirs.benchmark_manual)
        );
    }

    #[test]
    fn a_change_rewords_only_that_check_and_keeps_its_test() {
        let base = base();
        let b = extend_on(TEXT, &base).unwrap();
        let (mine, theirs) = (b.check("1.2.29").unwrap(), base.check("1.2.29").unwrap());
        assert_eq!(mine.rule.remediation, "new words");
        assert_ne!(
            theirs.rule.remediation, "new words",
            "the base is untouched"
        );
        assert_eq!(mine.rule.id, theirs.rule.id);
        assert_eq!(mine.rule.test, theirs.rule.test);
    }

    #[test]
    fn a_change_of_a_check_the_base_lacks_is_an_error_naming_it() {
        let e = extend(&TEXT.replace("1.2.29", "9.9.9")).unwrap_err();
        assert!(e.to_string().contains("9.9.9"), "{e}");
    }

    #[test]
    fn a_check_changed_twice_or_to_nothing_is_refused() {
        let twice = format!("{TEXT}  - {{id: \"1.2.29\", remediation: \"again\"}}\n");
        assert!(extend(&twice).unwrap_err().to_string().contains("twice"));
        let empty = TEXT.replace("new words", " ");
        assert!(extend(&empty).unwrap_err().to_string().contains("empty"));
    }

    fn catalog_with(text: &str) -> Result<Catalog> {
        Catalog::with_definitions(None, vec![], vec![("v2.yaml".into(), text.into())])
    }

    #[test]
    fn the_catalog_builds_an_extension_on_its_base() {
        let c = catalog_with(TEXT).unwrap();
        assert_eq!(c.info("v2").unwrap().extends.as_deref(), Some("cis-1.12"));
        let b = c.get("v2").unwrap();
        assert_eq!(b.check("1.2.29").unwrap().rule.remediation, "new words");
    }

    #[test]
    fn extending_an_unknown_benchmark_or_an_extension_is_refused_at_load() {
        let unknown = catalog_with(&TEXT.replace("extends: cis-1.12", "extends: cis-0.1"));
        assert!(unknown.unwrap_err().to_string().contains("cis-0.1"));
        let chain = TEXT.replace("id: v2", "id: v3").replace("cis-1.12", "v2");
        let e = Catalog::with_definitions(
            None,
            vec![],
            vec![("v2.yaml".into(), TEXT.into()), ("v3.yaml".into(), chain)],
        )
        .unwrap_err();
        assert!(e.to_string().contains("extends another"), "{e}");
    }

    #[test]
    fn an_extension_may_not_carry_checks_of_its_own() {
        let text = TEXT.replace("changes:", "checks: []\nchanges:");
        assert!(extend(&text).is_err());
    }
}
