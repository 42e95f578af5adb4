//! The crate's error type and `Result` alias. Each layer above the engine
//! reports through it; the engine has its own error, which this one wraps
//! whole. Causes stay attached as `source`s, and an internal error is logged
//! with its whole chain in one place ([`Error::log_internal`]), where it ends:
//! at the API's answer or in a failed scan's stored message.

use crate::engine::error::EngineError;
pub use crate::engine::error::{shown, SHOWN_CHARS};
use std::path::PathBuf;

/// Everything that can go wrong in cis-scan, with enough context for a user to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The engine could not judge: a definition, a facts document, a file, a
    /// benchmark or version that does not exist. Shown as the engine says it,
    /// its cause kept as the source.
    #[error(transparent)]
    Engine(#[from] EngineError),
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
    /// and internal details are logged instead (see [`Error::log_internal`]).
    pub fn public_message(&self) -> String {
        match self {
            Error::Database(_) | Error::Db(_) | Error::Internal(_) => self.log_internal(),
            other => other.to_string(),
        }
    }

    /// Logs this error with every cause in its `source` chain, and returns the
    /// message a client gets instead: the one place an error that a client may
    /// not see is logged, at the end of its way.
    pub fn log_internal(&self) -> String {
        tracing::error!("internal error: {}", self.chain());
        INTERNAL_MESSAGE.to_string()
    }

    /// The error and each cause below it, `outer: inner: …`; a cause the
    /// message above it already quotes is not repeated.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            let text = cause.to_string();
            if !out.contains(&text) {
                out.push_str(": ");
                out.push_str(&text);
            }
            next = cause.source();
        }
        out
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

/// What a client is told of an internal error.
pub const INTERNAL_MESSAGE: &str = "internal error; the service logged the details";

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_error_keeps_its_message_and_its_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e: Error = EngineError::io("/defs", io).into();
        assert_eq!(e.to_string(), "/defs: gone");
        assert!(std::error::Error::source(&e).is_some(), "the cause is kept");
        assert_eq!(e.chain(), "/defs: gone", "a quoted cause is not repeated");
    }

    #[test]
    fn the_chain_adds_causes_the_message_does_not_quote() {
        let e = Error::Db(sea_orm::DbErr::Custom("pool timed out".into()));
        assert!(e.chain().contains("pool timed out"), "{}", e.chain());
        assert_eq!(e.public_message(), INTERNAL_MESSAGE);
    }
}
