//! The rows of docs/VERDICTS.md's "Deliberate differences from the benchmarks' sources": which
//! benchmarks and checks, which aspects, and why; read by `definitions_source`.

/// One difference between a shipped check and its source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub benchmark: String,
    pub check: String,
    pub aspect: &'static str,
    pub detail: String,
}

/// A row of the VERDICTS.md table: which benchmarks and checks, which aspect, why.
pub struct Listed {
    pub benchmarks: Vec<String>,
    pub checks: Vec<String>,
    pub aspects: Vec<String>,
    pub reason: String,
}

impl Listed {
    pub fn covers(&self, d: &Difference) -> bool {
        self.aspects.iter().any(|a| a == d.aspect)
            && self.benchmarks.iter().any(|g| glob(g, &d.benchmark))
            && self.checks.iter().any(|g| glob(g, &d.check))
    }
}

/// `*` matches any run of characters; everything else literally.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

const SECTION: &str = "## Deliberate differences from the benchmarks' sources";

pub fn listed_differences() -> Vec<Listed> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/VERDICTS.md");
    let text = std::fs::read_to_string(path).expect("docs/VERDICTS.md");
    let start = text.find(SECTION).expect("VERDICTS.md has the section");
    let body = &text[start + SECTION.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    body.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("| benchmarks") && !l.starts_with("|--"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(
                cells.len(),
                4,
                "a row has benchmarks | checks | aspect | reason: {l}"
            );
            let list = |s: &str| {
                s.split(',')
                    .map(|x| x.trim().trim_matches('`').to_string())
                    .collect()
            };
            assert!(
                !cells[3].is_empty(),
                "a listed difference needs its reason: {l}"
            );
            Listed {
                benchmarks: list(cells[0]),
                checks: list(cells[1]),
                aspects: list(cells[2]),
                reason: cells[3].to_string(),
            }
        })
        .collect()
}
