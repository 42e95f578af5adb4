//! A host root in a temp dir for the collector's unit tests: files at their
//! host paths under `root/`, an empty `proc/` beside it.

use super::host::Host;

/// A host holding `files` (host path, content); keep the dir alive while using it.
pub(super) fn host_with<C: AsRef<[u8]>>(files: &[(&str, C)]) -> (tempfile::TempDir, Host) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    for (path, content) in files {
        let local = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(local.parent().unwrap()).unwrap();
        std::fs::write(local, content).unwrap();
    }
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(dir.path().join("proc")).unwrap();
    let host = Host::new(&root, &dir.path().join("proc"));
    (dir, host)
}
