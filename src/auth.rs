//! API tokens: generated once, shown once, stored as a SHA-256 hash.

use crate::domain::Principal;
use crate::error::{Error, Result};
use crate::store::Store;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes cis-scan tokens recognisable in secret scanners.
const PREFIX: &str = "cis_";

/// A new random token (256 bits).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", hex::encode(bytes))
}

/// The hash stored for a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token for an administrator (cluster None) or a cluster owner; returns it once.
pub async fn create_token(store: &Store, owner_of: Option<&str>) -> Result<String> {
    if let Some(c) = owner_of {
        if store.cluster(c).await?.is_none() {
            return Err(Error::NotFound(format!("no cluster '{c}' is configured")));
        }
    }
    let token = generate();
    let role = if owner_of.is_some() { "owner" } else { "admin" };
    store.insert_token(&hash(&token), role, owner_of).await?;
    Ok(token)
}

/// Resolves a bearer token to the caller; None when it is unknown.
pub async fn principal(store: &Store, token: &str) -> Result<Option<Principal>> {
    let Some(row) = store.token_by_hash(&hash(token.trim())).await? else {
        return Ok(None);
    };
    Ok(match (row.role.as_str(), row.cluster_id) {
        ("admin", _) => Some(Principal::Admin { token_id: row.id }),
        ("owner", Some(cluster_id)) => Some(Principal::Owner {
            token_id: row.id,
            cluster_id,
        }),
        _ => None,
    })
}

/// The token in an `Authorization: Bearer <token>` value.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}
