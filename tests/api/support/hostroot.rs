//! Builds node host roots in temp dirs: files with chosen modes and owners,
//! static pod manifests, kubelet configs and a fake /proc.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A fake node: `root/` is its filesystem, `proc/` its /proc.
pub struct HostRoot {
    dir: TempDir,
}

/// uid/gid used for the etcd user in fixtures.
pub const ETCD_UID: u32 = 2379;

impl HostRoot {
    /// An empty node with root and etcd users.
    pub fn new() -> Self {
        let h = HostRoot {
            dir: TempDir::new().expect("temp dir"),
        };
        std::fs::create_dir_all(h.proc()).unwrap();
        h.file("/etc/passwd", &format!("root:x:0:0:root:/root:/bin/bash\netcd:x:{ETCD_UID}:{ETCD_UID}::/var/lib/etcd:/sbin/nologin\n"), 0o644);
        h.file(
            "/etc/group",
            &format!("root:x:0:\netcd:x:{ETCD_UID}:\n"),
            0o644,
        );
        h
    }

    /// The node's root filesystem.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// The node's /proc.
    pub fn proc(&self) -> PathBuf {
        self.dir.path().join("proc")
    }

    fn local(&self, host_path: &str) -> PathBuf {
        self.root().join(host_path.trim_start_matches('/'))
    }

    /// Writes a file with a mode (owned by root).
    pub fn file(&self, path: &str, content: &str, mode: u32) -> &Self {
        let p = self.local(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        set_mode(&p, mode);
        self
    }

    /// Creates a directory with a mode.
    pub fn dir(&self, path: &str, mode: u32) -> &Self {
        let p = self.local(path);
        std::fs::create_dir_all(&p).unwrap();
        set_mode(&p, mode);
        self
    }

    /// Changes a path's owner (the tests run as root, as CI does).
    pub fn chown(&self, path: &str, uid: u32, gid: u32) -> &Self {
        std::os::unix::fs::chown(self.local(path), Some(uid), Some(gid))
            .expect("chown (tests run as root)");
        self
    }

    /// Changes a path's mode.
    pub fn chmod(&self, path: &str, mode: u32) -> &Self {
        set_mode(&self.local(path), mode);
        self
    }

    /// Removes a file.
    pub fn remove(&self, path: &str) -> &Self {
        std::fs::remove_file(self.local(path)).unwrap();
        self
    }

    /// Adds a process to the fake /proc.
    pub fn process(&self, pid: u32, argv: &[&str]) -> &Self {
        self.process_env(pid, argv, &[])
    }

    /// Adds a process with environment variables.
    pub fn process_env(&self, pid: u32, argv: &[&str], env: &[(&str, &str)]) -> &Self {
        let d = self.proc().join(pid.to_string());
        std::fs::create_dir_all(&d).unwrap();
        let mut cmd = argv.join("\0");
        cmd.push('\0');
        std::fs::write(d.join("cmdline"), cmd).unwrap();
        let environ: String = env.iter().map(|(k, v)| format!("{k}={v}\0")).collect();
        std::fs::write(d.join("environ"), environ).unwrap();
        self
    }

    /// Writes a static pod manifest for a command line.
    pub fn manifest(&self, path: &str, name: &str, image: &str, command: &[&str]) -> &Self {
        let cmd: String = command.iter().map(|c| format!("    - {c}\n")).collect();
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n{cmd}    image: {image}\n    name: {name}\n  hostNetwork: true\n"
        );
        self.file(path, &text, 0o600)
    }

    /// Collects this node's facts with the real collector.
    pub fn collect(&self, node: &str) -> cis_scan::engine::facts::NodeFacts {
        cis_scan::engine::collect::collect(&cis_scan::engine::collect::Options {
            host_root: self.root(),
            proc_root: self.proc(),
            node_name: Some(node.into()),
        })
    }
}

fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}
