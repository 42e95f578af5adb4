//! The crate's one error type and `Result` alias.

use std::path::PathBuf;

/// Everything that can go wrong in cis-scan, with enough context for a user to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    /// A facts document could not be read or parsed.
    #[error("facts file {path}: {message}")]
    Facts { path: PathBuf, message: String },
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The service cannot take its address (another process has it, or no permission).
    #[error("cannot listen on {address}: {source}; is another cis-scan running there? set server.listen (CIS_SCAN_LISTEN) or --listen")]
    Listen {
        address: String,
        source: std::io::Error,
    },
    /// Bad input from a user (flag values, ids).
    #[error("{0}")]
    Invalid(String),
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{0}")]
    NotFound(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// No valid credentials, and why (missing, unknown, revoked, expired).
    #[error("{0}")]
    Unauthenticated(Refusal),
    /// A live cluster could not be reached, or its API server or a collector Job
    /// failed: what failed and while doing what, never the server's answer. Not the
    /// caller's input (GraphQL code CLUSTER_UNREACHABLE).
    #[error("{0}")]
    Cluster(String),
    /// A stored value could not be read back (a row this code did not write); the
    /// detail is logged, never shown to API clients.
    #[error("database error: {0}")]
    Database(String),
    /// A database call failed; the driver's error is kept as the source for the
    /// log, never shown to API clients.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A service the CLI asked failed, refused or could not be reached (never with the token).
    #[error("{0}")]
    Remote(String),
    /// Invalid service configuration, naming the setting.
    #[error("configuration: {0}")]
    Config(String),
    /// Anything else that should never happen, with what we were doing.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a request carries no caller. Each says what the client should fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` token at all.
    Missing,
    /// A token no row matches (mistyped, or deleted).
    Unknown,
    /// A token that `token revoke` withdrew.
    Revoked,
    /// A token past its expiry.
    Expired(chrono::DateTime<chrono::Utc>),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Missing => f.write_str("no token: send Authorization: Bearer <token>"),
            Refusal::Unknown => f.write_str("the token is not known"),
            Refusal::Revoked => f.write_str("the token was revoked"),
            Refusal::Expired(at) => write!(
                f,
                "the token expired at {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

impl Error {
    /// The message stored with a failed scan and shown to API clients: database
    /// and internal details are logged instead, as `graphql::errors::gql` does.
    pub fn public_message(&self) -> String {
        match self {
            Error::Database(_) | Error::Db(_) | Error::Internal(_) => {
                tracing::error!("{self}");
                "internal error; the service logged the details".into()
            }
            other => other.to_string(),
        }
    }

    /// True when stdout's reader went away (`cis-scan check | head -1`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

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

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
}
