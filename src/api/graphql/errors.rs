//! GraphQL errors always carry `extensions.code`; internal details are logged, never sent.

use crate::api::error_codes::public;
use crate::error::{shown, Error, SHOWN_CHARS};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextSubscribe,
};
use async_graphql::{ErrorExtensions, Response, ServerError};
use futures_util::stream::{BoxStream, StreamExt};
use std::sync::Arc;

/// An error with a code.
pub fn coded(code: &str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

/// Maps a crate error to a client-safe GraphQL error (the codes of `api::error_codes`).
pub fn gql(e: Error) -> async_graphql::Error {
    let (code, message) = public(&e);
    coded(code.as_str(), message)
}

/// Gives every error without a code one: errors the engine raises before
/// resolvers run (syntax, validation, limits) are the client's.
pub struct ErrorCodes;

fn fill(mut r: Response) -> Response {
    for e in &mut r.errors {
        fill_one(e);
    }
    r
}

/// Longest message a client gets back.
const MAX_MESSAGE_CHARS: usize = 1000;

/// A message with every run of more than `SHOWN_CHARS` non-blank characters cut
/// to a prefix, and the whole cut at `MAX_MESSAGE_CHARS`: async-graphql's own
/// errors quote what the client sent (an unknown field or enum value), and a
/// client must not get its 200 KB back.
fn bounded(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE_CHARS + 4));
    for piece in message.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        if word.chars().nth(SHOWN_CHARS).is_some() {
            out.push_str(&shown(word));
            out.push_str(&piece[word.len()..]);
        } else {
            out.push_str(piece);
        }
        if out.chars().nth(MAX_MESSAGE_CHARS).is_some() {
            let cut: String = out.chars().take(MAX_MESSAGE_CHARS).collect();
            return cut + "…";
        }
    }
    out
}

fn fill_one(e: &mut ServerError) {
    if e.message.chars().nth(SHOWN_CHARS).is_some() {
        e.message = bounded(&e.message);
    }
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", "BAD_USER_INPUT");
    }
}

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        fill(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(fill).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_in_messages_are_cut_to_a_prefix() {
        let m = format!(
            "Unknown field \"{}\" on type \"Query\"",
            "f".repeat(200_000)
        );
        let b = bounded(&m);
        assert!(b.len() < 200, "{b}");
        assert!(
            b.starts_with("Unknown field \"fff") && b.ends_with("on type \"Query\""),
            "{b}"
        );
    }

    #[test]
    fn many_short_words_are_cut_at_the_message_limit() {
        let b = bounded(&"ab ".repeat(100_000));
        assert_eq!(b.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn ordinary_messages_are_kept_whole() {
        let m = "cron: '* * * * *' runs 60 s apart at its closest; min_schedule_interval_seconds is 300";
        assert_eq!(bounded(m), m);
    }

    #[test]
    fn each_error_kind_has_its_code_and_a_cluster_failure_is_not_the_callers() {
        let code = |e: Error| {
            let g = gql(e);
            let ext = g.extensions.expect("extensions");
            ext.get("code").map(|v| v.to_string()).unwrap_or_default()
        };
        for (e, want) in [
            (
                Error::Cluster("cluster unreachable".into()),
                "CLUSTER_UNREACHABLE",
            ),
            (
                Error::Invalid("first must be positive".into()),
                "BAD_USER_INPUT",
            ),
            (Error::NotFound("no report".into()), "NOT_FOUND"),
            (Error::Forbidden("administrators only".into()), "FORBIDDEN"),
            (Error::Database("disk full".into()), "INTERNAL"),
        ] {
            assert_eq!(code(e), format!("\"{want}\""));
        }
    }
}
