//! Converts the benchmark definitions (`benchmarks/**/*.yaml`, the source of truth,
//! edited by hand) into JSON in OUT_DIR, which the binary embeds: serde_json reads
//! them about ten times faster than a YAML parser, and reading the definitions was
//! four fifths of `cis-scan check`'s start-up (docs/PERFORMANCE.md). A file that does
//! not parse is embedded as its YAML text, so the loader reports the error with its
//! line, as for a user's own definitions. `engine::benchmark::embedded`'s tests check
//! that every file reads the same both ways.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=benchmarks");
    println!("cargo:rerun-if-changed=build.rs");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("definitions");
    convert(Path::new("benchmarks"), Path::new(""), &out);
}

fn convert(dir: &Path, rel: &Path, out: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("benchmarks/")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = rel.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            convert(&path, &name, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a definition file");
        let json = match serde_saphyr::from_str::<serde_json::Value>(&text) {
            Ok(v) => serde_json::to_string(&v).expect("JSON"),
            Err(_) => text,
        };
        let target = out.join(format!("{}.json", name.display()));
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("OUT_DIR");
        std::fs::write(target, json).expect("write OUT_DIR");
    }
}
