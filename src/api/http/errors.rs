//! Errors as plain HTTP answers: a status and a JSON body
//! `{"error": {"code", "message"}}` whose code is the one GraphQL puts in
//! `extensions.code` (`api::error_codes`). The crate's error is an actix
//! `ResponseError`, so handlers return it with `?`; internal details are
//! logged, never sent, and a cluster's own answers are never in a message.

use crate::api::error_codes::{public, ErrorCode};
use crate::error::Error;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// The status that goes with a code.
fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::ClusterUnreachable => StatusCode::BAD_GATEWAY,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        status(ErrorCode::of(self))
    }

    /// The JSON body; a 401 carries the challenge HTTP clients expect.
    fn error_response(&self) -> HttpResponse {
        let (code, message) = public(self);
        let mut res = json_error(status(code), code.as_str(), &message);
        if code == ErrorCode::Unauthenticated {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cis-scan\""),
            );
        }
        res
    }
}

/// 429 with `Retry-After: 1`: the client has all its places (requests in
/// flight, websockets) taken; the message says which.
#[derive(Debug)]
pub struct TooMany(pub String);

impl std::fmt::Display for TooMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ResponseError for TooMany {
    fn status_code(&self) -> StatusCode {
        StatusCode::TOO_MANY_REQUESTS
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = json_error(self.status_code(), "BAD_USER_INPUT", &self.0);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        res
    }
}

/// A JSON error body with a code, for non-GraphQL endpoints.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .json(serde_json::json!({ "error": { "code": code, "message": message } }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn each_error_has_the_status_of_its_code_and_401_challenges() {
        for (e, want) in [
            (Error::Invalid("x".into()), StatusCode::BAD_REQUEST),
            (Error::NotFound("x".into()), StatusCode::NOT_FOUND),
            (Error::Forbidden("x".into()), StatusCode::FORBIDDEN),
            (Error::Cluster("x".into()), StatusCode::BAD_GATEWAY),
            (
                Error::Internal("x".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ] {
            assert_eq!(e.error_response().status(), want, "{e}");
        }
        let res = Error::Unauthenticated(Refusal::Missing).error_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[tokio::test]
    async fn an_internal_error_shows_no_detail() {
        let res = Error::Internal("password=hunter2".into()).error_response();
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("\"INTERNAL\"") && !text.contains("hunter2"),
            "{text}"
        );
    }
}
