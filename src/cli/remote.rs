//! A client of a running service for terminal users (`reports`, `report`): where
//! the service is, the caller's token, and every failure turned into a short
//! message that never holds the token nor echoes what the server sent beyond
//! its own error message, cleaned and capped.

use crate::cli::failure::{cause, clean, error_of, CONNECT_TIMEOUT, REQUEST_TIMEOUT};
use crate::error::{Error, Result};
use clap::Args;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::PathBuf;

/// The environment variable holding the API token.
pub const TOKEN_ENV: &str = "CIS_SCAN_TOKEN";
/// Longest answer read into memory (a report document with many nodes is large).
pub const MAX_DOCUMENT: usize = 256 << 20;
/// Longest error answer read: enough for any error the service sends.
const MAX_ERROR_BODY: usize = 64 << 10;

/// Which service to ask and as whom. The token comes from CIS_SCAN_TOKEN or a
/// file, never a flag: command lines show in `ps` and shell history.
#[derive(Debug, Args, Clone)]
pub struct RemoteArgs {
    /// The service's address.
    #[arg(long, env = "CIS_SCAN_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// Read the API token from this file instead of CIS_SCAN_TOKEN.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// A connection to the service with the caller's token.
pub struct Remote {
    /// The service's address without a trailing slash, as messages show it.
    pub server: String,
    token: HeaderValue,
    http: reqwest::Client,
}

/// The GraphQL answer's shape.
#[derive(serde::Deserialize)]
struct GqlAnswer {
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GqlError>,
}

#[derive(serde::Deserialize)]
struct GqlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<Value>,
}

impl Remote {
    /// Checks the address and reads the token; says what to set when either is missing.
    pub fn new(args: &RemoteArgs) -> Result<Remote> {
        let server = server_address(&args.server)?;
        let token = match &args.token_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?,
            None => std::env::var(TOKEN_ENV).unwrap_or_default(),
        };
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::Invalid(format!(
                "no token: set {TOKEN_ENV} to an API token (`cis-scan token create` makes one) or pass --token-file"
            )));
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            Error::Invalid("the token holds characters a header cannot carry".into())
        })?;
        header.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // a redirect elsewhere would carry the token away: refuse it
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        Ok(Remote {
            server,
            token: header,
            http,
        })
    }

    /// Runs a GraphQL query; `not_found` is the message for a NOT_FOUND answer.
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
        not_found: &str,
    ) -> Result<T> {
        let resp = self
            .http
            .post(format!("{}/graphql", self.server))
            .header(AUTHORIZATION, self.token.clone())
            .json(&serde_json::json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = resp.status();
        // GraphQL errors come with 200 (and 400 for a malformed request)
        if !(status.is_success() || status == reqwest::StatusCode::BAD_REQUEST) {
            return Err(self.refusal(resp, not_found).await);
        }
        let body = self.read(resp, MAX_DOCUMENT).await?;
        let answer: GqlAnswer = serde_json::from_slice(&body).map_err(|_| self.garbled())?;
        if let Some(e) = answer.errors.first() {
            let code = e
                .extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            return Err(self.coded(code, &e.message, not_found));
        }
        let data = answer.data.ok_or_else(|| self.garbled())?;
        serde_json::from_value(data).map_err(|_| self.garbled())
    }

    /// GETs a path (e.g. `/reports/{id}/csv`): the answer when it is 200, else
    /// the error it means; `not_found` is the message for a 404.
    pub async fn get(&self, path: &str, not_found: &str) -> Result<reqwest::Response> {
        let resp = self
            .http
            .get(format!("{}{path}", self.server))
            .header(AUTHORIZATION, self.token.clone())
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(self.refusal(resp, not_found).await)
        }
    }

    /// A whole answer, refused beyond `cap` bytes.
    pub async fn read(&self, mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.broken(e))? {
            if body.len() + chunk.len() > cap {
                return Err(Error::Remote(format!(
                    "the answer from {} is larger than {} MiB; not read",
                    self.server,
                    cap >> 20
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Copies an answer to `out` as it arrives.
    pub async fn stream(
        &self,
        mut resp: reqwest::Response,
        out: &mut dyn std::io::Write,
    ) -> Result<()> {
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.broken(e))? {
            out.write_all(&chunk)
                .map_err(|e| Error::io("<stdout>", e))?;
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))
    }

    /// The error an unsuccessful HTTP answer means, from its status and the
    /// service's JSON error (a body that is not one is never shown).
    async fn refusal(&self, resp: reqwest::Response, not_found: &str) -> Error {
        let status = resp.status();
        let body = self.read(resp, MAX_ERROR_BODY).await.unwrap_or_default();
        let (code, message) = error_of(&body).unwrap_or_default();
        // only the service's own error says what is missing: a 404 without
        // one comes from something else at that address (a proxy, another server)
        let code = match (code.as_str(), status.as_u16()) {
            ("", 401) => "UNAUTHENTICATED",
            (c, _) => c,
        };
        match code {
            "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" => {
                self.coded(code, &message, not_found)
            }
            _ if status.as_u16() == 429 => Error::Remote(format!(
                "{} is busy (HTTP 429): try again in a moment",
                self.server
            )),
            _ if status.is_redirection() => Error::Remote(format!(
                "{} answered with a redirect (HTTP {}); check --server or CIS_SCAN_SERVER",
                self.server,
                status.as_u16()
            )),
            _ => Error::Remote(format!(
                "{} answered HTTP {}{}",
                self.server,
                status.as_u16(),
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", clean(&message))
                }
            )),
        }
    }

    /// The error an error code means.
    fn coded(&self, code: &str, message: &str, not_found: &str) -> Error {
        let message = clean(message);
        match code {
            "NOT_FOUND" => Error::NotFound(not_found.to_string()),
            "UNAUTHENTICATED" => {
                Error::Remote(format!("{} refused the token: {message}", self.server))
            }
            "FORBIDDEN" => Error::Forbidden(message),
            "BAD_USER_INPUT" => Error::Invalid(message),
            _ => Error::Remote(format!("{} failed: {message}", self.server)),
        }
    }

    /// A request that found no service, or none in time.
    fn unreachable(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() && !e.is_connect() {
            return Error::Remote(format!("{}: {}", self.server, cause(&e)));
        }
        Error::Remote(format!("cannot reach {}: {}", self.server, cause(&e)))
    }

    /// An answer that stopped half way.
    fn broken(&self, e: reqwest::Error) -> Error {
        Error::Remote(format!(
            "the answer from {} broke off: {}",
            self.server,
            cause(&e)
        ))
    }

    /// An answer that is not what the service sends: not shown.
    fn garbled(&self) -> Error {
        Error::Remote(format!(
            "{} did not answer as a cis-scan service does; check --server or CIS_SCAN_SERVER",
            self.server
        ))
    }
}

/// The address without a trailing slash; http or https, no user or password in it.
fn server_address(raw: &str) -> Result<String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| Error::Invalid(format!("--server {raw}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::Invalid(format!(
            "--server {raw}: give an http:// or https:// address"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Invalid(format!(
            "--server: no credentials in the address; put the token in {TOKEN_ENV}"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Invalid(format!(
            "--server {raw}: no query or fragment in the address"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
