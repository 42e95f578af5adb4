//! The set of benchmarks available: the embedded ones, plus a user's own from
//! `--benchmark-dir`. Start-up reads only each file's header (id, provider,
//! Kubernetes versions); a benchmark's checks, and the rules they name, are
//! parsed the first time a run asks for that benchmark, then kept.

use super::embedded;
use super::extend::{check_base, parse_extension};
use super::info::BenchmarkInfo;
use super::load::{parse_benchmark, parse_components, parse_header, parse_rules};
use super::model::*;
use super::profile::{parse_profile, Profile};
use crate::engine::error::{EngineError, Result};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// A definition file: its name (for errors) and text.
type Source = (Cow<'static, str>, Cow<'static, str>);

#[derive(Debug)]
struct Entry {
    info: BenchmarkInfo,
    source: Source,
    parsed: OnceLock<Arc<Benchmark>>,
}

/// Components and rules, shared by every benchmark; parsed on first use.
#[derive(Debug)]
struct Shared {
    components: Arc<BTreeMap<Component, ComponentSpec>>,
    rules: HashMap<String, Arc<Rule>>,
}

/// All benchmarks and profiles known to this run.
#[derive(Debug)]
pub struct Catalog {
    /// Sorted by (Kubernetes min, id): oldest first.
    entries: Vec<Entry>,
    profiles: Vec<Profile>,
    components: Source,
    rules: Vec<Source>,
    shared: OnceLock<Arc<Shared>>,
    derived: OnceLock<HashMap<String, Arc<Benchmark>>>,
}

impl Catalog {
    /// The benchmarks shipped in the binary.
    pub fn embedded() -> Result<Self> {
        Self::build(
            src(&embedded::COMPONENTS),
            embedded::RULES.iter().map(src).collect(),
            embedded::BENCHMARKS.iter().map(src).collect(),
            embedded::PROFILES.iter().map(src).collect(),
        )
    }

    /// The embedded benchmarks plus a user's own definition texts (file name,
    /// text), in the same format: `components` replaces the embedded defaults,
    /// `rules` add to (or replace, by id) the embedded ones, and `benchmarks`
    /// add versions (replacing one with the same id). Reading them from disk is
    /// [`crate::engine::definitions::load_dir`]'s job; this stays free of I/O.
    /// A user's files are checked whole here, so a mistake shows at start.
    pub fn with_definitions(
        components: Option<(String, String)>,
        rules: Vec<(String, String)>,
        benchmarks: Vec<(String, String)>,
    ) -> Result<Self> {
        let own = |(a, b): (String, String)| -> Source { (a.into(), b.into()) };
        let mut all_rules: Vec<Source> = embedded::RULES.iter().map(src).collect();
        all_rules.extend(rules.into_iter().map(own));
        let theirs: HashSet<String> = benchmarks.iter().map(|(f, _)| f.clone()).collect();
        let mut all: Vec<Source> = embedded::BENCHMARKS.iter().map(src).collect();
        all.extend(benchmarks.into_iter().map(own));
        let catalog = Self::build(
            components
                .map(own)
                .unwrap_or_else(|| src(&embedded::COMPONENTS)),
            all_rules,
            all,
            embedded::PROFILES.iter().map(src).collect(),
        )?;
        for e in catalog.entries.iter() {
            if theirs.contains(e.source.0.as_ref()) {
                catalog.parsed(e)?;
            }
        }
        Ok(catalog)
    }

    fn build(
        components: Source,
        rules: Vec<Source>,
        benchmarks: Vec<Source>,
        profiles: Vec<Source>,
    ) -> Result<Self> {
        let mut by_id: BTreeMap<String, Entry> = BTreeMap::new();
        for source in benchmarks {
            let info = parse_header(&source.0, &source.1)?;
            let entry = Entry {
                info,
                source,
                parsed: OnceLock::new(),
            };
            by_id.insert(entry.info.id.clone(), entry);
        }
        let mut entries: Vec<Entry> = by_id.into_values().collect();
        entries.sort_by(|a, b| {
            (a.info.kubernetes_min, &a.info.id).cmp(&(b.info.kubernetes_min, &b.info.id))
        });
        for e in &entries {
            let all = entries.iter().map(|x| &x.info);
            check_base(&e.source.0, &e.info, all)?;
        }
        let mut parsed_profiles = Vec::new();
        for (file, text) in &profiles {
            let p = parse_profile(file, text)?;
            if entries.iter().any(|e| e.info.id == p.id) {
                return Err(def_err(file, &p.id, "a benchmark has this id already"));
            }
            if !entries.iter().any(|e| e.info.id == p.benchmark) {
                let m = format!("benchmark '{}' is not known", p.benchmark);
                return Err(def_err(file, &p.id, m));
            }
            parsed_profiles.push(p);
        }
        Ok(Catalog {
            entries,
            profiles: parsed_profiles,
            components,
            rules,
            shared: OnceLock::new(),
            derived: OnceLock::new(),
        })
    }

    fn shared(&self) -> Result<Arc<Shared>> {
        if let Some(s) = self.shared.get() {
            return Ok(s.clone());
        }
        let components = Arc::new(parse_components(&self.components.0, &self.components.1)?);
        let mut rules: HashMap<String, Arc<Rule>> = HashMap::new();
        for (file, text) in &self.rules {
            let mut ids = HashSet::new();
            for rule in parse_rules(file, text)? {
                if !ids.insert(rule.id.clone()) {
                    return Err(def_err(
                        file,
                        &rule.id,
                        "rule id appears twice in this file",
                    ));
                }
                rules.insert(rule.id.clone(), Arc::new(rule));
            }
        }
        let shared = Arc::new(Shared { components, rules });
        Ok(self.shared.get_or_init(|| shared).clone())
    }

    fn parsed(&self, e: &Entry) -> Result<Arc<Benchmark>> {
        if let Some(b) = e.parsed.get() {
            return Ok(b.clone());
        }
        let b = match &e.info.extends {
            // the base is parsed (once) and this file adds only its changes
            Some(base) => {
                let found = self.entries.iter().find(|x| x.info.id == *base);
                let m = || def_err(&e.source.0, &e.info.id, format!("unknown base '{base}'"));
                let base = self.parsed(found.ok_or_else(m)?)?;
                parse_extension(&e.source.0, &e.source.1, &e.info, &base)?
            }
            None => {
                let shared = self.shared()?;
                parse_benchmark(
                    &e.source.0,
                    &e.source.1,
                    &shared.rules,
                    shared.components.clone(),
                )?
            }
        };
        if b.id != e.info.id || b.provider != e.info.provider {
            return Err(def_err(&e.source.0, &b.id, "header read differently"));
        }
        Ok(e.parsed.get_or_init(|| Arc::new(b)).clone())
    }

    /// The benchmark (or profile) with this id, or an error listing the ones there are.
    pub fn get(&self, id: &str) -> Result<Arc<Benchmark>> {
        if let Some(e) = self.entries.iter().find(|e| e.info.id == id) {
            return self.parsed(e);
        }
        if let Some(p) = self.profiles.iter().find(|p| p.id == id) {
            if let Some(b) = self.derived.get().and_then(|d| d.get(id)) {
                return Ok(b.clone());
            }
            let base = self.get(&p.benchmark)?;
            let b = Arc::new(p.apply(&base)?);
            let mut map = self.derived.get().cloned().unwrap_or_default();
            map.insert(id.to_string(), b.clone());
            // a race loses only a cache entry; the value is the same
            let _ = self.derived.set(map);
            return Ok(b);
        }
        Err(EngineError::UnknownBenchmark(format!(
            "unknown benchmark or profile '{}'; available: {}",
            crate::engine::error::shown(id),
            self.ids().join(", ")
        )))
    }

    /// Ids of all benchmarks, oldest first, then the profiles.
    pub fn ids(&self) -> Vec<String> {
        let benchmarks = self.entries.iter().map(|e| e.info.id.clone());
        benchmarks
            .chain(self.profiles.iter().map(|p| p.id.clone()))
            .collect()
    }

    /// Every benchmark's header, oldest first, without parsing any checks.
    pub fn infos(&self) -> impl Iterator<Item = &BenchmarkInfo> {
        self.entries.iter().map(|e| &e.info)
    }

    /// The header of the benchmark with this id.
    pub fn info(&self, id: &str) -> Option<&BenchmarkInfo> {
        self.infos().find(|i| i.id == id)
    }

    /// The profiles: named sets of skips over a benchmark.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// Every benchmark, parsed (for listings and tests; a scan needs only one).
    pub fn all(&self) -> Result<Vec<Arc<Benchmark>>> {
        self.entries.iter().map(|e| self.parsed(e)).collect()
    }

    /// The generic benchmark meant for a Kubernetes version such as "1.28" or "v1.30.2"
    /// (the newest for a version newer than every scope).
    pub fn for_kubernetes_version(&self, version: &str) -> Result<Arc<Benchmark>> {
        let (info, _) = super::choice::for_version(self, Provider::Generic, version)?;
        self.get(&info.id)
    }

    /// `--benchmark` wins; else the Kubernetes version decides; else the newest
    /// generic benchmark.
    pub fn select(
        &self,
        benchmark: Option<&str>,
        kube_version: Option<&str>,
    ) -> Result<Arc<Benchmark>> {
        match (benchmark, kube_version) {
            (Some(id), _) => self.get(id),
            (None, Some(v)) => self.for_kubernetes_version(v),
            (None, None) => match self.newest(Provider::Generic) {
                Some(i) => self.get(&i.id),
                None => Err(EngineError::UnknownBenchmark("no benchmarks loaded".into())),
            },
        }
    }

    /// The newest benchmark of a provider (by the oldest Kubernetes version it
    /// covers; among equals the first id, so hardened comes before permissive).
    pub fn newest(&self, provider: Provider) -> Option<&BenchmarkInfo> {
        super::choice::newest_of(self.infos().filter(|i| i.provider == provider).collect())
    }
}

fn src(s: &(&'static str, &'static str)) -> Source {
    (Cow::Borrowed(s.0), Cow::Borrowed(s.1))
}

fn def_err(file: &str, check: &str, message: impl Into<String>) -> EngineError {
    EngineError::Definition {
        file: file.to_string(),
        check: check.to_string(),
        message: message.into(),
    }
}
