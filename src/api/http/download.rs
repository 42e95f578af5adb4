//! What every report download shares (GET /reports/{id}/csv and /reports/{id}/{format}):
//! a place in the client's share, held until the body has gone (the body itself is
//! rendered as it streams: see `stream`), and the attachment's headers.

use super::client_limits::ClientShares;
use super::errors::TooMany;
use crate::service::principal::Principal;
use actix_web::http::header;
use actix_web::{HttpResponse, HttpResponseBuilder};
use tokio::sync::OwnedSemaphorePermit;

/// A place in the client's share, or 429 with Retry-After when it has none free.
pub async fn place(
    shares: &ClientShares,
    principal: &Principal,
) -> Result<OwnedSemaphorePermit, TooMany> {
    // downloads need a valid token: the client is always the token
    let key = super::graphql::client_key(None, Some(principal));
    shares
        .enter(key)
        .await
        .map_err(|busy| TooMany(super::graphql::busy_message(busy.limit)))
}

/// Adds `X-Content-Type-Options: nosniff`: a browser must take a download for its
/// declared type, never sniff report text (node names, flags) into HTML.
pub fn nosniff(resp: &mut HttpResponseBuilder) -> &mut HttpResponseBuilder {
    resp.insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
}

/// A 200 attachment of this type and file name (the name must be header-safe).
pub fn attachment(content_type: &str, filename: &str) -> HttpResponseBuilder {
    let mut resp = HttpResponse::Ok();
    resp.content_type(content_type).insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{filename}\""),
    ));
    nosniff(&mut resp);
    resp
}
