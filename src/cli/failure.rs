//! What a failed request says to a terminal user: the service's own error
//! message, cleaned and capped, or the cause of a connection failure; never a
//! body the service did not write as an error.

use serde_json::Value;
use std::time::Duration;

/// Longest server message shown.
const MAX_MESSAGE: usize = 300;
/// How long to wait for a connection to the service.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request, its answer included, may take.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The code and message of the service's error body: `{"error": {...}}` from
/// downloads, `{"errors": [...]}` from GraphQL.
pub(crate) fn error_of(body: &[u8]) -> Option<(String, String)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error").or_else(|| v.get("errors")?.get(0))?;
    let text = |x: Option<&Value>| x.and_then(Value::as_str).unwrap_or_default().to_string();
    let code = e.get("code").or_else(|| e.get("extensions")?.get("code"));
    Some((text(code), text(e.get("message"))))
}

/// A server's message made safe for a terminal: no control characters, capped.
pub fn clean(message: &str) -> String {
    let mut s: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE)
        .collect();
    if message.chars().count() > MAX_MESSAGE {
        s.push('…');
    }
    s
}

/// The innermost cause of a failed request, as a person reads it ("connection refused").
pub(crate) fn cause(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return if e.is_connect() {
            format!("no connection within {} s", CONNECT_TIMEOUT.as_secs())
        } else {
            format!("no complete answer within {} s", REQUEST_TIMEOUT.as_secs())
        };
    }
    let mut inner: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    if let Some(io) = inner.downcast_ref::<std::io::Error>() {
        use std::io::ErrorKind as K;
        match io.kind() {
            K::ConnectionRefused => return "connection refused".into(),
            K::ConnectionReset => return "connection reset".into(),
            _ => {}
        }
    }
    clean(&inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_of_reads_download_and_graphql_error_bodies() {
        let download =
            br#"{"error":{"code":"UNAUTHENTICATED","message":"the token is not known"}}"#;
        assert_eq!(
            error_of(download),
            Some(("UNAUTHENTICATED".into(), "the token is not known".into()))
        );
        let gql = br#"{"errors":[{"message":"no report","extensions":{"code":"NOT_FOUND"}}]}"#;
        assert_eq!(
            error_of(gql),
            Some(("NOT_FOUND".into(), "no report".into()))
        );
    }

    #[test]
    fn error_of_ignores_a_body_that_is_not_a_service_error() {
        assert_eq!(error_of(b"<html>502 Bad Gateway</html>"), None);
        assert_eq!(error_of(b"{\"data\": 1}"), None);
    }

    #[test]
    fn clean_removes_control_characters_and_caps_the_length() {
        assert_eq!(clean("red\x1b[31m\nline"), "red [31m line");
        let long = "x".repeat(MAX_MESSAGE * 3);
        let c = clean(&long);
        assert_eq!(c.chars().count(), MAX_MESSAGE + 1);
        assert!(c.ends_with('…'));
    }
}
