//! API tokens: generated once, shown once, stored as a SHA-256 hash; and why
//! a presented token is refused. The cache in front of the database is in
//! [`crate::service::token_cache`].

use crate::error::{shown, Error, Result};
use crate::service::principal::Principal;
use crate::service::store::entity::token::{Model as TokenRow, Role};
use crate::service::store::{NewToken, Store};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// Prefix that makes cis-scan tokens recognisable in secret scanners.
const PREFIX: &str = "cis_";

/// The longest lifetime `--expires-in` accepts (ten years).
const MAX_LIFETIME_DAYS: i64 = 3650;

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

// Why a request carries no caller lives with the crate's error, which reports it.
pub use crate::error::Refusal;

/// The result of looking at a request's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// A valid token: the caller.
    Accepted(Principal),
    /// No caller, and why.
    Refused(Refusal),
}

/// Judges a token row at `now`: revoked and expired rows are refused.
pub fn judge(row: &TokenRow, now: DateTime<Utc>) -> AuthOutcome {
    if row.revoked_at.is_some() {
        return AuthOutcome::Refused(Refusal::Revoked);
    }
    if let Some(at) = row.expires_at.filter(|at| *at <= now) {
        return AuthOutcome::Refused(Refusal::Expired(at));
    }
    match (row.role, &row.cluster_id) {
        (Role::Admin, _) => AuthOutcome::Accepted(Principal::Admin { token_id: row.id }),
        (Role::Owner, Some(cluster_id)) => AuthOutcome::Accepted(Principal::Owner {
            token_id: row.id,
            cluster_id: cluster_id.clone(),
        }),
        // an owner row without a cluster grants nothing
        (Role::Owner, None) => AuthOutcome::Refused(Refusal::Unknown),
    }
}

/// What `token create` asks for.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    /// The cluster of an owner token; None makes an administrator token.
    pub owner_of: Option<String>,
    pub name: Option<String>,
    /// How long the token lives; None: until revoked.
    pub lifetime: Option<Duration>,
}

/// Creates a token; returns its id and the token itself, which is never stored.
pub async fn create(store: &Store, req: TokenRequest) -> Result<(Uuid, String)> {
    if let Some(c) = &req.owner_of {
        if store.cluster(c).await?.is_none() {
            return Err(Error::NotFound(format!(
                "no cluster '{}' is configured",
                shown(c)
            )));
        }
    }
    let name = req.name.map(|n| n.trim().to_string());
    if let Some(n) = &name {
        if n.is_empty() || n.len() > 100 || n.chars().any(char::is_control) {
            return Err(Error::Invalid(
                "--name must be 1-100 printable characters".into(),
            ));
        }
    }
    let token = generate();
    let new = NewToken {
        role: if req.owner_of.is_some() {
            Role::Owner
        } else {
            Role::Admin
        },
        cluster_id: req.owner_of,
        name,
        expires_at: req.lifetime.map(|d| Utc::now() + d),
    };
    let id = store.insert_token(&hash(&token), new).await?;
    Ok((id, token))
}

/// Creates a token for an administrator (cluster None) or a cluster owner; returns it once.
pub async fn create_token(store: &Store, owner_of: Option<&str>) -> Result<String> {
    let req = TokenRequest {
        owner_of: owner_of.map(str::to_string),
        ..Default::default()
    };
    Ok(create(store, req).await?.1)
}

/// Parses a lifetime like `90s`, `30m`, `12h`, `30d` or `2w`.
pub fn parse_lifetime(s: &str) -> std::result::Result<Duration, String> {
    let bad = || {
        format!("'{s}' is not a lifetime: use a whole number and a unit s, m, h, d or w, e.g. 30m, 12h, 30d, 2w")
    };
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (digits, unit) = s.split_at(split);
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let seconds_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(format!("'{s}': a token must live longer than nothing"));
    }
    match n.checked_mul(seconds_per) {
        Some(secs) if secs <= MAX_LIFETIME_DAYS * 86_400 => Ok(Duration::seconds(secs)),
        _ => Err(format!(
            "'{s}' is too long: at most {MAX_LIFETIME_DAYS}d; omit --expires-in for a token that lives until revoked"
        )),
    }
}

/// The token in an `Authorization: Bearer <token>` value.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// Compares a presented secret with the expected one in constant time
/// (hashing first also hides the expected length).
pub fn secret_matches(presented: &str, expected: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    bool::from(a[..].ct_eq(&b[..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(role: Role, cluster: Option<&str>) -> TokenRow {
        TokenRow {
            id: Uuid::new_v4(),
            hash: "h".into(),
            role,
            cluster_id: cluster.map(str::to_string),
            name: None,
            created_at: Utc::now(),
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
        }
    }

    #[test]
    fn lifetimes_in_every_unit_parse() {
        assert_eq!(parse_lifetime("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse_lifetime("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_lifetime("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_lifetime("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_lifetime("2w"), Ok(Duration::weeks(2)));
    }

    #[test]
    fn bad_lifetimes_are_refused_with_the_accepted_form() {
        for bad in ["", "30", "d", "3x", "-1d", "1.5h", "30 d", "1D", "0d"] {
            let e = parse_lifetime(bad).expect_err(bad);
            assert!(e.contains(&format!("'{}'", bad.trim())), "{bad}: {e}");
        }
        assert!(parse_lifetime("3x")
            .unwrap_err()
            .contains("30m, 12h, 30d, 2w"));
        assert!(parse_lifetime("99999999999999999w")
            .unwrap_err()
            .contains("too long"));
        assert!(parse_lifetime("3651d").unwrap_err().contains("too long"));
    }

    #[test]
    fn revoked_wins_over_expired_and_expired_names_the_time() {
        let now = Utc::now();
        let mut r = row(Role::Admin, None);
        r.expires_at = Some(now - Duration::seconds(1));
        assert_eq!(
            judge(&r, now),
            AuthOutcome::Refused(Refusal::Expired(r.expires_at.unwrap()))
        );
        r.revoked_at = Some(now);
        assert_eq!(judge(&r, now), AuthOutcome::Refused(Refusal::Revoked));
        let msg = Refusal::Expired(now).to_string();
        assert!(msg.starts_with("the token expired at 20"), "{msg}");
    }

    #[test]
    fn a_valid_owner_row_names_its_cluster_and_an_orphan_owner_row_is_refused() {
        let now = Utc::now();
        let mut r = row(Role::Owner, Some("demo"));
        r.expires_at = Some(now + Duration::hours(1));
        assert!(matches!(
            judge(&r, now),
            AuthOutcome::Accepted(Principal::Owner { cluster_id, .. }) if cluster_id == "demo"
        ));
        let orphan = row(Role::Owner, None);
        assert_eq!(judge(&orphan, now), AuthOutcome::Refused(Refusal::Unknown));
    }

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(secret_matches("abc", "abc"));
        assert!(!secret_matches("abc", "abd"));
        assert!(!secret_matches("ab", "abc"));
        assert!(!secret_matches("", "abc"));
    }

    #[test]
    fn bearer_takes_the_token_after_the_scheme() {
        assert_eq!(bearer("Bearer cis_x"), Some("cis_x"));
        assert_eq!(bearer("bearer  cis_x "), Some("cis_x"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
    }
}
