//! How a request refused by one of the query limits is told: BAD_USER_INPUT with
//! the limit's name in `extensions.limit`, which the HTTP layer reads to make the
//! client wait before its next request.

use super::errors::coded;
use async_graphql::ServerError;

/// Which limit refused a request, in `extensions.limit` (the HTTP layer makes the
/// client wait before its next request after such a refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Nesting,
    Depth,
    Fields,
    /// The same field with the same arguments under two names.
    Duplicate,
    Complexity,
    Timeout,
    ResponseSize,
}

impl Limit {
    /// Its name in `extensions.limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Nesting => "nesting",
            Limit::Depth => "depth",
            Limit::Fields => "fields",
            Limit::Duplicate => "duplicate",
            Limit::Complexity => "complexity",
            Limit::Timeout => "timeout",
            Limit::ResponseSize => "responseSize",
        }
    }
}

/// True when the response is a refusal by one of the limits.
pub fn refused_by_limit(r: &async_graphql::Response) -> bool {
    r.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .is_some_and(|x| x.get("limit").is_some())
    })
}

/// A refusal by `limit`: BAD_USER_INPUT, with the limit's name in `extensions.limit`.
pub fn refuse(limit: Limit, message: String) -> ServerError {
    let e = coded("BAD_USER_INPUT", message);
    let mut s = ServerError::new(e.message, None);
    let mut ext = e.extensions.unwrap_or_default();
    ext.set("limit", limit.as_str());
    s.extensions = Some(ext);
    s
}
