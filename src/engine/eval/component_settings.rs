//! Reads a component's settings the way the component itself would:
//! the running process beats its manifest, a command-line flag beats the
//! config file, the last occurrence of a flag wins, and an absent setting
//! takes the component's documented default (and the result says so).

use crate::engine::benchmark::ComponentSpec;
use crate::engine::facts::ComponentFacts;
use std::collections::{BTreeMap, HashMap};

pub use super::config_lookup::Resolved;

/// Parses argv into flag → last value. `--a=b`, `--a b` and a bare `--a`
/// (meaning true) are all understood; single-dash long flags count as `--`.
pub fn parse_args(argv: &[String]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut i = 1;
    while i < argv.len() {
        let tok = argv[i].as_str();
        i += 1;
        if !tok.starts_with('-') || tok == "-" || tok == "--" {
            continue;
        }
        let name = format!("--{}", tok.trim_start_matches('-'));
        match name.split_once('=') {
            Some((n, v)) => {
                map.insert(n.to_string(), v.to_string());
            }
            None => {
                let next_is_value = argv.get(i).is_some_and(|n| !n.starts_with('-'));
                if next_is_value {
                    map.insert(name, argv[i].clone());
                    i += 1;
                } else {
                    map.insert(name, "true".to_string());
                }
            }
        }
    }
    map
}

/// The arguments a component runs with, and where they were read.
#[derive(Debug)]
struct Args<'a> {
    map: HashMap<String, String>,
    source: String,
    /// Where each flag came from, when the arguments were assembled (k3s).
    origins: Option<&'a BTreeMap<String, String>>,
}

/// One component on one node, prepared for repeated lookups.
#[derive(Debug)]
pub struct ComponentView<'a> {
    pub facts: &'a ComponentFacts,
    pub spec: Option<&'a ComponentSpec>,
    args: Result<Option<Args<'a>>, String>,
}

impl<'a> ComponentView<'a> {
    /// Picks the authoritative argument source: process, then manifest, then systemd unit.
    pub fn new(facts: &'a ComponentFacts, spec: Option<&'a ComponentSpec>) -> Self {
        let args = if let Some(p) = &facts.process {
            let bin = p
                .cmdline
                .first()
                .map(|b| b.rsplit('/').next().unwrap_or(b))
                .unwrap_or("?");
            Ok(Some(Args {
                map: parse_args(&p.cmdline),
                source: format!("process {} ({bin})", p.pid),
                origins: Some(&p.origins),
            }))
        } else if let Some(m) = &facts.manifest {
            match &m.error {
                Some(e) => Err(format!("could not read {}: {e}", m.path)),
                None => Ok(Some(Args {
                    map: parse_args(&m.args),
                    source: format!("manifest {}", m.path),
                    origins: Some(&m.origins),
                })),
            }
        } else if let Some(u) = &facts.unit {
            match &u.error {
                Some(e) => Err(format!("could not read the systemd unit: {e}")),
                None => Ok(Some(Args {
                    map: parse_args(&u.args),
                    source: format!("systemd unit {}", u.paths.join(" + ")),
                    origins: None,
                })),
            }
        } else {
            Ok(None)
        };
        ComponentView { facts, spec, args }
    }

    fn name(&self) -> &str {
        self.spec
            .map(|s| s.name.as_str())
            .unwrap_or("the component")
    }

    fn in_args(&self, flag: &str) -> Result<Option<(String, String)>, String> {
        match &self.args {
            Err(e) => Err(e.clone()),
            Ok(None) => Ok(None),
            Ok(Some(a)) => Ok(a.map.get(flag).map(|v| {
                // an assembled argument names the file or default that gave it
                let origin = a.origins.and_then(|o| o.get(flag)).cloned();
                (v.clone(), origin.unwrap_or_else(|| a.source.clone()))
            })),
        }
    }

    fn in_env(&self, flag: &str) -> Option<(String, String)> {
        let p = self.facts.process.as_ref()?;
        let var = format!(
            "ETCD_{}",
            flag.trim_start_matches('-')
                .replace('-', "_")
                .to_uppercase()
        );
        p.env
            .get(&var)
            .map(|v| (v.clone(), format!("environment {var}")))
    }

    /// Looks a dotted key up in the config file and its drop-ins. Ok(None): not there.
    fn in_config(&self, key: &str) -> Result<Option<(String, String)>, Resolved> {
        match &self.facts.config {
            None => Ok(None),
            Some(cfg) => super::config_lookup::lookup(cfg, key),
        }
    }

    /// Resolves a flag; `default` overrides the component's documented default.
    pub fn flag(&self, flag: &str, default: Option<&str>) -> Resolved {
        // etcd with --config-file reads nothing else: skip its other flags and environment
        let config_only =
            self.facts.config.is_some() && self.spec.is_some_and(|s| s.config_replaces_flags);
        if !config_only {
            match self.in_args(flag) {
                Err(e) => return Resolved::Failed(e),
                Ok(Some((value, source))) => return explicit(value, source),
                Ok(None) => {}
            }
            if let Some((value, source)) = self.in_env(flag) {
                return explicit(value, source);
            }
        }
        let key = self.spec.and_then(|s| s.config_keys.get(flag));
        if let Some(key) = key {
            match self.in_config(key) {
                Err(verdict) => return verdict,
                Ok(Some((value, source))) => return explicit(value, source),
                Ok(None) => {}
            }
        }
        if let Some(host) = self
            .facts
            .embedded_in
            .as_ref()
            .filter(|_| !self.facts.embedded_defaults_known)
        {
            return Resolved::Unknown(format!(
                "{flag} is not set in the configuration cis-scan could read, and {host} chooses its own default for it"
            ));
        }
        // drop-ins without a config file merge over the flag defaults, not the file defaults
        let config_default = self
            .facts
            .config
            .as_ref()
            .filter(|c| !c.drop_ins_only)
            .and_then(|_| self.spec.and_then(|s| s.config_defaults.get(flag)));
        let documented =
            config_default.or_else(|| self.spec.and_then(|s| s.flag_defaults.get(flag)));
        match default.map(str::to_string).or_else(|| documented.cloned()) {
            Some(value) => Resolved::Value {
                source: format!(
                    "default ({} uses {value} when {flag} is not given{})",
                    self.name(),
                    if config_default.is_some() {
                        " and a config file is in use"
                    } else {
                        ""
                    }
                ),
                value,
                explicit: false,
            },
            None => Resolved::Absent {
                source: self.args_source().unwrap_or("not configured").into(),
            },
        }
    }

    /// Resolves one feature gate from --feature-gates or the config's featureGates.
    pub fn gate(&self, gate: &str, default: Option<&str>) -> Resolved {
        match self.in_args("--feature-gates") {
            Err(e) => return Resolved::Failed(e),
            Ok(Some((gates, source))) => {
                for item in super::compare::items(&gates) {
                    if let Some((k, v)) = item.split_once('=') {
                        if k.trim() == gate {
                            return explicit(
                                v.trim().to_string(),
                                format!("{source} --feature-gates"),
                            );
                        }
                    }
                }
            }
            Ok(None) => {}
        }
        match self.in_config(&format!("featureGates.{gate}")) {
            Err(verdict) => return verdict,
            Ok(Some((value, source))) => return explicit(value, source),
            Ok(None) => {}
        }
        match default {
            Some(d) => Resolved::Value {
                value: d.to_string(),
                source: format!("default (the {gate} feature gate is {d} unless turned off)"),
                explicit: false,
            },
            None => Resolved::Absent {
                source: "feature gate not set".into(),
            },
        }
    }

    /// Resolves a directive of the component's systemd unit.
    pub fn unit_directive(&self, name: &str) -> Resolved {
        match &self.facts.unit {
            None => Resolved::Unknown(format!("no systemd unit was found for {}", self.name())),
            Some(u) if u.error.is_some() => Resolved::Failed(format!(
                "could not read the systemd unit: {}",
                u.error.as_deref().unwrap_or_default()
            )),
            Some(u) => match u.directives.get(name) {
                Some(v) => explicit(v.clone(), format!("systemd unit {}", u.paths.join(" + "))),
                None => Resolved::Absent {
                    source: format!("systemd unit {}", u.paths.join(" + ")),
                },
            },
        }
    }

    /// Where this component's arguments were read, if anywhere.
    pub fn args_source(&self) -> Option<&str> {
        match &self.args {
            Ok(Some(a)) => Some(a.source.as_str()),
            _ => None,
        }
    }
}

fn explicit(value: String, source: String) -> Resolved {
    Resolved::Value {
        value,
        source,
        explicit: true,
    }
}
