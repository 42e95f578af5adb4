//! The engine's own error: what can go wrong judging nodes against benchmark
//! definitions (a definition, a facts document, reading a file, a benchmark
//! or version that does not exist). The crate's `Error` wraps it whole, cause
//! included; the engine knows nothing of the layers above it.

use std::path::PathBuf;

/// Something the engine could not do, with the cause where there is one.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A benchmark definition file is malformed.
    #[error("{file}: {check}: {message}")]
    Definition {
        file: String,
        check: String,
        message: String,
    },
    /// The benchmark or Kubernetes version asked for does not exist.
    #[error("{0}")]
    UnknownBenchmark(String),
    /// What the caller asked for cannot be read (a Kubernetes version that is
    /// not one, a benchmark directory without definitions).
    #[error("{0}")]
    Invalid(String),
    /// A facts document could not be parsed, or is of another schema version.
    #[error("facts file {path}: {message}")]
    Facts {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<serde_json::Error>,
    },
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl EngineError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            source,
        }
    }
}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// Most characters of a user's input an error message quotes.
pub const SHOWN_CHARS: usize = 64;

/// How an error quotes a user's input: its first [`SHOWN_CHARS`] characters,
/// control characters as `?`, and `…` when cut. A message never carries a
/// client's megabyte back to it (or into a log).
pub fn shown(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().nth(SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_input_is_cut_to_a_prefix_and_control_characters_hidden() {
        assert_eq!(shown("demo"), "demo");
        assert_eq!(shown("a\u{0}b\n"), "a?b?");
        let long = "x".repeat(200_000);
        let s = shown(&long);
        assert_eq!(s.chars().count(), SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(shown(&"é".repeat(SHOWN_CHARS)), "é".repeat(SHOWN_CHARS));
    }

    #[test]
    fn a_facts_error_keeps_its_parse_error_as_the_source() {
        let parse = serde_json::from_str::<u8>("x").unwrap_err();
        let e = EngineError::Facts {
            path: "n.json".into(),
            message: parse.to_string(),
            source: Some(parse),
        };
        assert!(std::error::Error::source(&e).is_some());
    }
}
