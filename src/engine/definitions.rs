//! Reads a custom benchmark directory (`--benchmark-dir`, `benchmark_dir`) from
//! disk and hands the texts to the pure catalog builder.

use crate::engine::benchmark::Catalog;
use crate::engine::error::{EngineError, Result};
use std::path::{Path, PathBuf};

/// The embedded benchmarks plus those in `dir`: `dir/components.yaml`,
/// `dir/rules/*.yaml` and every other `dir/*.yaml` as a benchmark version.
pub fn load_dir(dir: &Path) -> Result<Catalog> {
    let read = |p: &Path| -> Result<(String, String)> {
        let text = std::fs::read_to_string(p).map_err(|e| EngineError::io(p, e))?;
        Ok((p.display().to_string(), text))
    };
    let comps = dir.join("components.yaml");
    let components = if comps.exists() {
        Some(read(&comps)?)
    } else {
        None
    };
    let rules = yaml_files(&dir.join("rules"))?
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>>>()?;
    let own = yaml_files(dir)?;
    if own.is_empty() && !dir.join("rules").is_dir() {
        return Err(EngineError::Invalid(format!(
            "benchmark directory {} holds no .yaml files",
            dir.display()
        )));
    }
    let benchmarks = own
        .iter()
        .filter(|p| p.file_name().is_none_or(|n| n != "components.yaml"))
        .map(|p| read(p))
        .collect::<Result<Vec<_>>>()?;
    Catalog::with_definitions(components, rules, benchmarks)
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| EngineError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    out.sort();
    Ok(out)
}
