//! GraphQL errors always carry `extensions.code`; internal details are logged, never sent.

use crate::error::Error;
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

/// Maps a crate error to a client-safe GraphQL error.
pub fn gql(e: Error) -> async_graphql::Error {
    match e {
        Error::NotFound(m) => coded("NOT_FOUND", m),
        Error::Invalid(m) | Error::UnknownBenchmark(m) => coded("BAD_USER_INPUT", m),
        Error::Forbidden(m) => coded("FORBIDDEN", m),
        Error::Unauthenticated(why) => coded("UNAUTHENTICATED", why.to_string()),
        other => {
            tracing::error!("internal error: {other}");
            coded("INTERNAL", "internal error; the service logged the details")
        }
    }
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

fn fill_one(e: &mut ServerError) {
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
