//! File mode and ownership tests.

use super::Outcome;
use crate::engine::benchmark::{FileExpect, Missing};
use crate::engine::facts::{FileEntry, FileFacts};
use crate::engine::report::State;

/// How many offending files a result names before it summarises.
const LIST_LIMIT: usize = 5;

/// Judges the files recorded under one logical name.
pub fn test_files(
    key: &str,
    facts: Option<&FileFacts>,
    pattern: Option<&str>,
    expect: &FileExpect,
    missing: Missing,
) -> Outcome {
    let expected = match expect {
        FileExpect::Mode(m) => format!("permissions {m:o} or more restrictive"),
        FileExpect::Owner { user, group } => format!("owned by {user}:{group}"),
    };
    let Some(facts) = facts else {
        return Outcome::new(State::Error, "not collected", &expected, "collector").because(
            format!("the facts hold nothing for '{key}' (collected by an older collector?)"),
        );
    };
    if let Some(e) = &facts.error {
        return Outcome::new(
            State::Error,
            "unreadable",
            &expected,
            &facts.tried.join(", "),
        )
        .because(e.clone());
    }
    let suffix = pattern.map(|p| p.trim_start_matches('*'));
    let entries: Vec<&FileEntry> = facts
        .entries
        .iter()
        .filter(|e| match suffix {
            Some(sfx) => e.kind != "dir" && e.path.ends_with(sfx),
            None => true,
        })
        .collect();
    if entries.is_empty() {
        return absent(facts, pattern, &expected, missing);
    }
    if let Some(bad) = entries.iter().find(|e| e.error.is_some()) {
        return Outcome::new(State::Error, "unreadable", &expected, &bad.path)
            .because(bad.error.clone().unwrap_or_default());
    }
    let offending: Vec<&&FileEntry> = entries
        .iter()
        .filter(|e| match expect {
            FileExpect::Mode(allowed) => match u32::from_str_radix(&e.mode, 8) {
                Ok(mode) => mode & !allowed & 0o7777 != 0,
                Err(_) => true,
            },
            FileExpect::Owner { user, group } => &e.user != user || &e.group != group,
        })
        .collect();
    let show = |e: &FileEntry| match expect {
        FileExpect::Mode(_) => format!("{} {}", e.path, e.mode),
        FileExpect::Owner { .. } => format!("{} {}:{}", e.path, e.user, e.group),
    };
    let source = if entries.len() == 1 {
        format!("file {}", entries[0].path)
    } else {
        format!("{} files under {}", entries.len(), common_dir(&entries))
    };
    if offending.is_empty() {
        let actual = if entries.len() == 1 {
            show(entries[0])
        } else {
            match expect {
                FileExpect::Mode(_) => {
                    let loosest = entries.iter().map(|e| e.mode.as_str()).max().unwrap_or("?");
                    format!("all {} within limits (loosest {loosest})", entries.len())
                }
                FileExpect::Owner { user, group } => {
                    format!("all {} owned by {user}:{group}", entries.len())
                }
            }
        };
        return Outcome::new(State::Pass, &actual, &expected, &source);
    }
    let mut actual: Vec<String> = offending.iter().take(LIST_LIMIT).map(|e| show(e)).collect();
    if offending.len() > LIST_LIMIT {
        actual.push(format!("and {} more", offending.len() - LIST_LIMIT));
    }
    Outcome::new(State::Fail, &actual.join("; "), &expected, &source)
}

/// The one rule for a file found nowhere (docs/VERDICTS.md, "Absent files"):
/// a path something on the node names is configured, so its absence is a
/// FAIL naming the path and what named it; a path only guessed from the
/// well-known locations means the file is not configured here: NOT_APPLICABLE
/// with where cis-scan looked (a custom rule may ask for WARN or FAIL instead).
fn absent(facts: &FileFacts, pattern: Option<&str>, expected: &str, missing: Missing) -> Outcome {
    let what = pattern
        .map(|p| format!("no {p} files"))
        .unwrap_or_else(|| "not found".into());
    if let Some(by) = &facts.configured_by {
        let path = facts.tried.join(", ");
        return Outcome::new(State::Fail, &what, expected, by)
            .because(format!("{by} names {path}, which is not on this node"));
    }
    let looked = if facts.tried.is_empty() {
        "nothing names this file on this node".to_string()
    } else {
        format!("looked at {}", facts.tried.join(", "))
    };
    let (state, reason) = match missing {
        Missing::NotApplicable => (
            State::NotApplicable,
            "not configured on this node: nothing names this file and no well-known location holds it",
        ),
        Missing::Fail => (State::Fail, "the file the benchmark requires is missing"),
        Missing::Warn => (
            State::Warn,
            "no file at any known location: check where this node keeps it",
        ),
    };
    Outcome::new(state, &what, expected, &looked).because(reason.into())
}

fn common_dir(entries: &[&FileEntry]) -> String {
    let first = entries[0].path.as_str();
    let mut prefix = first
        .rsplit_once('/')
        .map(|(d, _)| d)
        .unwrap_or("/")
        .to_string();
    for e in entries {
        while !e.path.starts_with(&format!("{prefix}/")) && prefix.len() > 1 {
            prefix = prefix
                .rsplit_once('/')
                .map(|(d, _)| d)
                .unwrap_or("")
                .to_string();
            if prefix.is_empty() {
                return "/".into();
            }
        }
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, mode: &str, user: &str, group: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: "file".into(),
            mode: mode.into(),
            user: user.into(),
            group: group.into(),
            ..Default::default()
        }
    }

    fn facts(entries: Vec<FileEntry>) -> FileFacts {
        FileFacts {
            tried: vec!["/etc/x".into()],
            entries,
            ..Default::default()
        }
    }

    fn mode(m: &str, want: u32) -> State {
        test_files(
            "k",
            Some(&facts(vec![entry("/etc/x", m, "root", "root")])),
            None,
            &FileExpect::Mode(want),
            Missing::Warn,
        )
        .state
    }

    #[test]
    fn mode_this_or_more_restrictive() {
        assert_eq!(mode("600", 0o600), State::Pass);
        assert_eq!(mode("400", 0o600), State::Pass);
        assert_eq!(mode("0", 0o600), State::Pass);
        assert_eq!(mode("644", 0o600), State::Fail);
        assert_eq!(mode("700", 0o600), State::Fail, "execute is outside 600");
        assert_eq!(mode("640", 0o644), State::Pass);
        assert_eq!(mode("4600", 0o600), State::Fail, "setuid counts");
    }

    #[test]
    fn owner_must_match_user_and_group() {
        let own = |u: &str, g: &str| {
            let f = facts(vec![entry("/etc/x", "600", u, g)]);
            test_files(
                "k",
                Some(&f),
                None,
                &FileExpect::Owner {
                    user: "root".into(),
                    group: "root".into(),
                },
                Missing::Warn,
            )
        };
        assert_eq!(own("root", "root").state, State::Pass);
        let o = own("root", "wheel");
        assert_eq!(o.state, State::Fail);
        assert_eq!(o.actual, "/etc/x root:wheel");
        assert_eq!(own("1000", "root").state, State::Fail);
    }

    #[test]
    fn missing_unreadable_and_patterns() {
        let none = facts(vec![]);
        let want = FileExpect::Mode(0o600);
        assert_eq!(
            test_files("k", Some(&none), None, &want, Missing::Warn).state,
            State::Warn
        );
        assert_eq!(
            test_files("k", Some(&none), None, &want, Missing::NotApplicable).state,
            State::NotApplicable
        );
        let named = FileFacts {
            configured_by: Some("kubelet --kubeconfig".into()),
            ..none.clone()
        };
        let o = test_files("k", Some(&named), None, &want, Missing::NotApplicable);
        assert_eq!(o.state, State::Fail, "a file something names and lacks");
        assert_eq!(o.source, "kubelet --kubeconfig");
        assert!(o.reason.unwrap().contains("/etc/x"));
        assert_eq!(
            test_files("k", None, None, &want, Missing::Warn).state,
            State::Error
        );
        let mut bad = entry("/etc/x", "", "", "");
        bad.error = Some("permission denied".into());
        assert_eq!(
            test_files("k", Some(&facts(vec![bad])), None, &want, Missing::Warn).state,
            State::Error
        );
        let pki = facts(vec![
            entry("/pki/a.crt", "644", "root", "root"),
            entry("/pki/a.key", "600", "root", "root"),
        ]);
        assert_eq!(
            test_files("pki", Some(&pki), Some("*.key"), &want, Missing::Warn).state,
            State::Pass
        );
        let crt = test_files("pki", Some(&pki), Some("*.crt"), &want, Missing::Warn);
        assert_eq!(crt.state, State::Fail);
        assert_eq!(crt.actual, "/pki/a.crt 644");
    }
}
