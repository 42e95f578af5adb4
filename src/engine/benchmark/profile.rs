//! Profiles: a benchmark plus a named set of skips with reasons, as Rancher's
//! permissive variants are. A profile is chosen by id like a benchmark; the
//! checks it skips are NOT_APPLICABLE on every node with the profile's reason.

use super::model::Benchmark;
use crate::engine::error::{EngineError, Result};
use serde::Deserialize;

/// `benchmarks/profiles/<id>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: String,
    benchmark: String,
    title: String,
    #[serde(default)]
    skips: Vec<RawSkip>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkip {
    id: String,
    reason: String,
}

/// A named set of skips over one benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: String,
    /// The benchmark it runs.
    pub benchmark: String,
    pub title: String,
    /// (check id, reason), in file order.
    pub skips: Vec<(String, String)>,
    file: String,
}

fn def_err(file: &str, check: &str, message: impl Into<String>) -> EngineError {
    EngineError::Definition {
        file: file.to_string(),
        check: check.to_string(),
        message: message.into(),
    }
}

/// Parses a profile file.
pub fn parse_profile(file: &str, text: &str) -> Result<Profile> {
    let raw: RawProfile = super::load::parse_definition(file, text)?;
    if raw.id.trim().is_empty() || raw.title.trim().is_empty() {
        return Err(def_err(file, "(profile)", "id and title must not be empty"));
    }
    let mut skips = Vec::with_capacity(raw.skips.len());
    for s in raw.skips {
        if s.reason.trim().is_empty() {
            return Err(def_err(file, &s.id, "a skip needs a reason"));
        }
        if skips.iter().any(|(id, _): &(String, String)| *id == s.id) {
            return Err(def_err(file, &s.id, "check skipped twice"));
        }
        skips.push((s.id, s.reason.trim().to_string()));
    }
    Ok(Profile {
        id: raw.id,
        benchmark: raw.benchmark,
        title: raw.title,
        skips,
        file: file.to_string(),
    })
}

impl Profile {
    /// The benchmark as this profile runs it: its id and title, the base's
    /// checks with this profile's skips. A skip naming no check is an error.
    pub fn apply(&self, base: &Benchmark) -> Result<Benchmark> {
        let mut b = base.clone();
        for (id, reason) in &self.skips {
            let check = b.checks.iter_mut().find(|c| c.id == *id).ok_or_else(|| {
                let m = format!("'{id}' is not a check of {}", base.id);
                def_err(&self.file, &self.id, m)
            })?;
            check.skip = Some(reason.clone());
        }
        b.id = self.id.clone();
        b.title = self.title.clone();
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::benchmark::Catalog;

    const TEXT: &str = "id: p\nbenchmark: cis-1.12\ntitle: P\nskips:\n  - {id: \"1.1.1\", reason: \"no manifests here\"}\n";

    #[test]
    fn a_profile_marks_its_skips_with_their_reason() {
        let base = Catalog::embedded().unwrap().get("cis-1.12").unwrap();
        let b = parse_profile("p.yaml", TEXT).unwrap().apply(&base).unwrap();
        assert_eq!(b.id, "p");
        assert_eq!(
            b.check("1.1.1").unwrap().skip.as_deref(),
            Some("no manifests here")
        );
        assert_eq!(b.check("1.1.2").unwrap().skip, None);
    }

    #[test]
    fn a_skip_of_an_unknown_check_is_an_error_naming_it() {
        let base = Catalog::embedded().unwrap().get("cis-1.12").unwrap();
        let text = TEXT.replace("1.1.1", "9.9.9");
        let e = parse_profile("p.yaml", &text).unwrap().apply(&base);
        assert!(e.unwrap_err().to_string().contains("9.9.9"));
    }

    #[test]
    fn a_skip_without_a_reason_is_refused() {
        let text = TEXT.replace("no manifests here", " ");
        assert!(parse_profile("p.yaml", &text).is_err());
    }
}
