//! Who is calling: the caller a valid token names. What a caller may see and
//! do is decided in `access`, not here.

use uuid::Uuid;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Admin { token_id: Uuid },
    Owner { token_id: Uuid, cluster_id: String },
}

impl Principal {
    /// The id of the token the caller presented.
    pub fn token_id(&self) -> Uuid {
        match self {
            Principal::Admin { token_id } | Principal::Owner { token_id, .. } => *token_id,
        }
    }

    /// How the caller is named in records (skips, scans).
    pub fn name(&self) -> String {
        match self {
            Principal::Admin { token_id } => format!("admin:{}", &token_id.to_string()[..8]),
            Principal::Owner {
                token_id,
                cluster_id,
            } => format!("owner:{cluster_id}:{}", &token_id.to_string()[..8]),
        }
    }
}
