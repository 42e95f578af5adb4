//! The code a client sees for each error, the same over GraphQL
//! (`extensions.code`) and plain HTTP (the JSON body's `error.code`, with a
//! status to match). An internal error's detail never reaches a client: it is
//! logged, and the client gets a fixed message.

use crate::engine::error::EngineError;
use crate::error::Error;

/// What a client is told went wrong, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request itself is wrong (an argument, an id, a limit).
    BadUserInput,
    /// Unknown, or not the caller's.
    NotFound,
    /// The caller is known but may not do this.
    Forbidden,
    /// No valid token, and why.
    Unauthenticated,
    /// A live cluster could not be reached or failed; not the caller's input.
    ClusterUnreachable,
    /// Anything the caller cannot fix; the detail is in the log.
    Internal,
}

impl ErrorCode {
    /// The code of an error.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Invalid(_)
            | Error::Engine(EngineError::UnknownBenchmark(_) | EngineError::Invalid(_)) => {
                ErrorCode::BadUserInput
            }
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::Cluster(_) => ErrorCode::ClusterUnreachable,
            Error::Unauthenticated(_) => ErrorCode::Unauthenticated,
            _ => ErrorCode::Internal,
        }
    }

    /// The code as clients read it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::ClusterUnreachable => "CLUSTER_UNREACHABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// The code and the message a client gets for `e`; an internal error is
/// logged with its causes (`Error::log_internal`) and answered with a fixed message.
pub fn public(e: &Error) -> (ErrorCode, String) {
    match ErrorCode::of(e) {
        ErrorCode::Internal => (ErrorCode::Internal, e.log_internal()),
        code => (code, e.to_string()),
    }
}
