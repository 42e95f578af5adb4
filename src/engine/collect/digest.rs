//! SHA-256 digests of the files two components name where a check compares
//! them (etcd's `--trusted-ca-file` and the API server's `--client-ca-file`).
//! Only the digest is kept, never the file's content.

use super::host::Host;
use crate::engine::benchmark::Component;
use crate::engine::eval::component_settings::parse_args;
use crate::engine::facts::{ComponentFacts, FileDigest};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind, Read};
use std::path::Path;

/// Larger files are refused: a CA bundle is a few kilobytes.
const MAX_BYTES: u64 = 1024 * 1024;

/// A file flag a check compares: the component, its flag, and where the same
/// setting lives in the component's config file, if it has one.
struct Compared {
    component: Component,
    flag: &'static str,
    config_key: Option<&'static str>,
}

/// The files checks compare (CIS 2.7: etcd's CA against the API server's client CA).
const COMPARED: &[Compared] = &[
    Compared {
        component: Component::Etcd,
        flag: "--trusted-ca-file",
        config_key: Some("client-transport-security.trusted-ca-file"),
    },
    Compared {
        component: Component::Apiserver,
        flag: "--client-ca-file",
        config_key: None,
    },
];

/// The digest of every file a compared flag names, by the path as named.
pub fn compared_files(
    host: &Host,
    comps: &HashMap<Component, ComponentFacts>,
) -> BTreeMap<String, FileDigest> {
    let mut out = BTreeMap::new();
    for c in COMPARED {
        let Some(cf) = comps.get(&c.component) else {
            continue;
        };
        let pid = cf.process.as_ref().map(|p| p.pid);
        for path in named_paths(cf, c.flag, c.config_key) {
            if let std::collections::btree_map::Entry::Vacant(e) = out.entry(path) {
                let d = digest(host, pid, e.key());
                e.insert(d);
            }
        }
    }
    out
}

/// Every path the component's arguments, environment or config file give the flag
/// (the evaluator decides which of them the component uses).
fn named_paths(cf: &ComponentFacts, flag: &str, config_key: Option<&str>) -> Vec<String> {
    let argvs = [
        cf.process.as_ref().map(|p| &p.cmdline),
        cf.manifest.as_ref().map(|m| &m.args),
        cf.unit.as_ref().map(|u| &u.args),
    ];
    let mut paths: Vec<String> = argvs
        .into_iter()
        .flatten()
        .filter_map(|argv| parse_args(argv).remove(flag))
        .collect();
    let var = format!(
        "ETCD_{}",
        flag.trim_start_matches('-')
            .replace('-', "_")
            .to_uppercase()
    );
    paths.extend(cf.process.as_ref().and_then(|p| p.env.get(&var).cloned()));
    let in_config = config_key.and_then(|key| {
        let mut v = cf.config.as_ref()?.content.as_ref()?;
        for part in key.split('.') {
            v = v.get(part)?;
        }
        v.as_str().map(str::to_string)
    });
    paths.extend(in_config);
    paths.retain(|p| !p.trim().is_empty());
    paths
}

/// Reads a file a process names (on the host first, then in the process's own
/// root) and keeps its SHA-256 digest, or why it could not be read.
pub fn digest(host: &Host, pid: Option<u32>, path: &str) -> FileDigest {
    let failed = |why: String| FileDigest {
        sha256: None,
        error: Some(why),
    };
    let bytes = match read_bytes(&host.path(path)) {
        Err(ErrorKind::NotFound) => {
            let inner = pid.map(|pid| {
                host.proc_root()
                    .join(pid.to_string())
                    .join("root")
                    .join(path.trim_start_matches('/'))
            });
            match inner.map(|p| read_bytes(&p)) {
                Some(Ok(b)) => b,
                Some(Err(k)) if k != ErrorKind::NotFound => return failed(unreadable(path, k)),
                _ => return failed(format!("file not found: {path}")),
            }
        }
        Err(kind) => return failed(unreadable(path, kind)),
        Ok(b) => b,
    };
    FileDigest {
        sha256: Some(hex::encode(Sha256::digest(&bytes))),
        error: None,
    }
}

fn unreadable(path: &str, kind: ErrorKind) -> String {
    let why = match kind {
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::FileTooLarge => format!("larger than {MAX_BYTES} bytes"),
        ErrorKind::IsADirectory => "a directory".to_string(),
        other => other.to_string(),
    };
    format!("file unreadable: {path}: {why}")
}

fn read_bytes(local: &Path) -> Result<Vec<u8>, ErrorKind> {
    let file = std::fs::File::open(local).map_err(|e| e.kind())?;
    if file.metadata().map_err(|e| e.kind())?.is_dir() {
        return Err(ErrorKind::IsADirectory);
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.kind())?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(ErrorKind::FileTooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::test_host::host_with;

    #[test]
    fn a_file_is_kept_as_its_sha256_digest_only() {
        let (_d, host) = host_with(&[("/pki/ca.crt", b"abc")]);
        let d = digest(&host, None, "/pki/ca.crt");
        assert_eq!(
            d.sha256.as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(d.error, None);
    }

    #[test]
    fn a_missing_file_says_so() {
        let (_d, host) = host_with(&[("/pki/ca.crt", b"abc")]);
        let d = digest(&host, Some(7), "/pki/other.crt");
        assert_eq!(d.sha256, None);
        assert_eq!(d.error.as_deref(), Some("file not found: /pki/other.crt"));
    }

    #[test]
    fn a_directory_is_unreadable_not_a_digest() {
        let (_d, host) = host_with(&[("/pki/ca.crt", b"abc")]);
        let d = digest(&host, None, "/pki");
        assert!(d.error.unwrap().contains("a directory"));
    }

    #[test]
    fn etcd_ca_paths_come_from_flags_environment_and_config_file() {
        let cf = ComponentFacts {
            process: Some(crate::engine::facts::ProcessFacts {
                pid: 1,
                cmdline: vec!["etcd".into(), "--trusted-ca-file=/a.crt".into()],
                env: [("ETCD_TRUSTED_CA_FILE".to_string(), "/b.crt".to_string())].into(),
                env_error: None,
                origins: Default::default(),
            }),
            config: Some(crate::engine::facts::ConfigFacts {
                path: "/etcd.conf".into(),
                content: Some(
                    serde_json::json!({"client-transport-security": {"trusted-ca-file": "/c.crt"}}),
                ),
                ..Default::default()
            }),
            ..Default::default()
        };
        let paths = named_paths(
            &cf,
            "--trusted-ca-file",
            Some("client-transport-security.trusted-ca-file"),
        );
        assert_eq!(paths, ["/a.crt", "/b.crt", "/c.crt"]);
    }
}
