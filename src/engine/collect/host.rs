//! Access to the node's filesystem through a host root (`/` on the node,
//! `/host` in a pod, a temp dir in tests), and file metadata with owner names.

use crate::engine::facts::{FileEntry, FileFacts};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The node's filesystem, seen from where the collector runs.
pub struct Host {
    root: PathBuf,
    proc_root: PathBuf,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

/// Most entries a directory walk records, so a huge directory cannot exhaust memory.
const WALK_LIMIT: usize = 10_000;

impl Host {
    /// Opens a host root; names for uids and gids come from its etc/passwd and etc/group.
    pub fn new(root: &Path, proc_root: &Path) -> Self {
        let mut host = Host {
            root: root.to_path_buf(),
            proc_root: proc_root.to_path_buf(),
            users: HashMap::new(),
            groups: HashMap::new(),
        };
        host.users = host.id_names("/etc/passwd");
        host.groups = host.id_names("/etc/group");
        host
    }

    /// The local path of a host path.
    pub fn path(&self, host_path: &str) -> PathBuf {
        self.root.join(host_path.trim_start_matches('/'))
    }

    /// Where /proc is.
    pub fn proc_root(&self) -> &Path {
        &self.proc_root
    }

    /// True when the host path exists.
    pub fn exists(&self, host_path: &str) -> bool {
        self.path(host_path).symlink_metadata().is_ok()
    }

    /// Reads a host file as text.
    pub fn read(&self, host_path: &str) -> Result<String, String> {
        std::fs::read_to_string(self.path(host_path)).map_err(|e| e.to_string())
    }

    /// Reads a file a process names: on the host first, then inside the
    /// process's own root (/proc/PID/root), for files in a container's image or volumes.
    pub fn read_for_process(
        &self,
        pid: Option<u32>,
        path: &str,
    ) -> Result<(String, String), String> {
        match self.read(path) {
            Ok(t) => Ok((t, path.to_string())),
            Err(host_err) => {
                let Some(pid) = pid else { return Err(host_err) };
                let inner = self
                    .proc_root
                    .join(pid.to_string())
                    .join("root")
                    .join(path.trim_start_matches('/'));
                std::fs::read_to_string(&inner)
                    .map(|t| (t, format!("{path} (in the container of process {pid})")))
                    .map_err(|_| {
                        format!("{host_err} (also not readable in the container of process {pid})")
                    })
            }
        }
    }

    fn id_names(&self, file: &str) -> HashMap<u32, String> {
        let Ok(text) = self.read(file) else {
            return HashMap::new();
        };
        text.lines()
            .filter_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let _pw = f.next()?;
                let id = f.next()?.parse().ok()?;
                Some((id, name.to_string()))
            })
            .collect()
    }

    /// Mode and ownership of one host path (not following a final symlink's target for the kind).
    pub fn entry(&self, host_path: &str) -> Option<FileEntry> {
        self.entry_at(&self.path(host_path), host_path)
    }

    /// The file a component names, recorded as configured by `by`: on the
    /// host, else inside the process's own root (a container's volume).
    pub fn named(&self, pid: Option<u32>, path: &str, by: String) -> FileFacts {
        let mut facts = self.files(&[path.to_string()]);
        facts.configured_by = Some(by);
        if let (true, Some(pid)) = (facts.entries.is_empty(), pid) {
            let inner = self
                .proc_root
                .join(pid.to_string())
                .join("root")
                .join(path.trim_start_matches('/'));
            let shown = format!("{path} (in the container of process {pid})");
            facts.entries.extend(self.entry_at(&inner, &shown));
        }
        facts
    }

    fn entry_at(&self, local: &Path, host_path: &str) -> Option<FileEntry> {
        let meta = match std::fs::metadata(local) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                return Some(FileEntry {
                    path: host_path.to_string(),
                    kind: "other".into(),
                    error: Some(e.to_string()),
                    ..Default::default()
                })
            }
        };
        let kind = if meta.is_dir() {
            "dir"
        } else if meta.is_file() {
            "file"
        } else {
            "other"
        };
        Some(FileEntry {
            path: host_path.to_string(),
            kind: kind.into(),
            mode: format!("{:o}", meta.mode() & 0o7777),
            uid: meta.uid(),
            gid: meta.gid(),
            user: self
                .users
                .get(&meta.uid())
                .cloned()
                .unwrap_or_else(|| meta.uid().to_string()),
            group: self
                .groups
                .get(&meta.gid())
                .cloned()
                .unwrap_or_else(|| meta.gid().to_string()),
            error: None,
        })
    }

    /// Records every candidate that exists.
    pub fn files(&self, candidates: &[String]) -> FileFacts {
        FileFacts {
            tried: candidates.to_vec(),
            entries: candidates.iter().filter_map(|c| self.entry(c)).collect(),
            ..Default::default()
        }
    }

    /// Records the first existing directory among `dirs`, with everything below it.
    pub fn tree(&self, dirs: &[String], include_root: bool) -> FileFacts {
        let mut facts = FileFacts {
            tried: dirs.to_vec(),
            ..Default::default()
        };
        for dir in dirs {
            if !self.path(dir).is_dir() {
                continue;
            }
            if include_root {
                facts.entries.extend(self.entry(dir));
            }
            if let Err(e) = self.walk(dir, &mut facts.entries) {
                facts.error = Some(e);
            }
        }
        facts
    }

    fn walk(&self, dir: &str, out: &mut Vec<FileEntry>) -> Result<(), String> {
        let rd = std::fs::read_dir(self.path(dir)).map_err(|e| format!("{dir}: {e}"))?;
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            if out.len() >= WALK_LIMIT {
                return Err(format!(
                    "more than {WALK_LIMIT} entries under {dir}; listing stopped"
                ));
            }
            let p = format!("{}/{name}", dir.trim_end_matches('/'));
            if let Some(e) = self.entry(&p) {
                let is_dir = e.kind == "dir"
                    && !self
                        .path(&p)
                        .symlink_metadata()
                        .is_ok_and(|m| m.file_type().is_symlink());
                out.push(e);
                if is_dir {
                    self.walk(&p, out)?;
                }
            }
        }
        Ok(())
    }
}

/// Parses YAML or JSON text into a JSON value.
pub fn parse_structured(text: &str) -> Result<serde_json::Value, String> {
    serde_saphyr::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())
}
