//! `cis-scan token create | list | revoke`: tokens are managed on the command
//! line, next to the database, never through the API they protect.

use crate::cli::service::runtime;
use crate::cli::ConfigArgs;
use crate::error::{Error, Result};
use crate::service::auth::TokenRequest;
use crate::service::clusters::sync_clusters;
use crate::service::settings::Settings;
use crate::service::store::entity::token::Model as TokenRow;
use crate::service::store::{Revoked, Store};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use secrecy::ExposeSecret;
use std::io::Write;

/// `cis-scan token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once on stdout (only its hash is stored).
    Create(TokenArgs),
    /// List tokens: id, name, role, cluster, dates and state; never the secret.
    List(TokenListArgs),
    /// Revoke a token by id; every replica refuses it within 5 seconds.
    Revoke(TokenRevokeArgs),
}

/// `cis-scan token create`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// An administrator token: every cluster.
    #[arg(long, conflicts_with = "owner")]
    pub admin: bool,
    /// A cluster owner's token: that cluster only.
    #[arg(long, value_name = "CLUSTER_ID")]
    pub owner: Option<String>,
    /// A label shown by `token list` (e.g. "ci", "grafana").
    #[arg(long)]
    pub name: Option<String>,
    /// Lifetime: a number and s, m, h, d or w (30m, 12h, 30d, 2w); default: until revoked.
    #[arg(long, value_name = "DURATION", value_parser = crate::service::auth::parse_lifetime)]
    pub expires_in: Option<chrono::Duration>,
}

/// How `token list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// `cis-scan token list`.
#[derive(Debug, Args)]
pub struct TokenListArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// `cis-scan token revoke`.
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The token's id, as `token list` shows it.
    pub id: String,
}

/// Runs a token subcommand; returns the exit code.
pub fn run(cmd: &TokenCommand, out: &mut dyn Write) -> Result<i32> {
    match cmd {
        TokenCommand::Create(a) => create(a, out),
        TokenCommand::List(a) => list(a, out),
        TokenCommand::Revoke(a) => revoke(a),
    }
}

/// Whether a token is accepted now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Revoked,
    Expired,
}

impl TokenState {
    /// The state of a row at `now`; revocation wins over expiry.
    pub fn of(row: &TokenRow, now: DateTime<Utc>) -> Self {
        if row.revoked_at.is_some() {
            TokenState::Revoked
        } else if row.expires_at.is_some_and(|at| at <= now) {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }

    /// The printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Revoked => "revoked",
            TokenState::Expired => "expired",
        }
    }
}

fn time(t: Option<DateTime<Utc>>, none: &str) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| none.to_string())
}

fn io(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// `token create`: the token alone on stdout, messages on stderr.
fn create(args: &TokenArgs, out: &mut dyn Write) -> Result<i32> {
    if !args.admin && args.owner.is_none() {
        return Err(Error::Invalid(
            "say whose token it is: pass --admin (every cluster) or --owner CLUSTER (one cluster)"
                .into(),
        ));
    }
    let settings = Settings::load(args.config.config.as_deref())?;
    let req = TokenRequest {
        owner_of: args.owner.clone(),
        name: args.name.clone(),
        lifetime: args.expires_in,
    };
    let (id, token) = runtime()?.block_on(async {
        let store = Store::connect(settings.database.url.expose_secret()).await?;
        sync_clusters(&store, &settings, Vec::new()).await?;
        crate::service::auth::create(&store, req).await
    })?;
    writeln!(out, "{token}").map_err(io)?;
    let whose = match &args.owner {
        Some(c) => format!("an owner token for cluster '{c}'"),
        None => "an administrator token".to_string(),
    };
    let until = match args.expires_in {
        Some(d) => format!(", valid until {}", time(Some(Utc::now() + d), "")),
        None => String::new(),
    };
    eprintln!("cis-scan: created {whose} (id {id}{until}); it is shown only once.");
    Ok(0)
}

/// `token list`: a table or JSON; never the secret or its hash.
fn list(args: &TokenListArgs, out: &mut dyn Write) -> Result<i32> {
    let settings = Settings::load(args.config.config.as_deref())?;
    let rows = runtime()?.block_on(async {
        Store::connect(settings.database.url.expose_secret())
            .await?
            .tokens()
            .await
    })?;
    let now = Utc::now();
    match args.format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|t| {
                    serde_json::json!({
                        "id": t.id,
                        "name": t.name,
                        "role": t.role.as_str(),
                        "cluster": t.cluster_id,
                        "createdAt": t.created_at,
                        "expiresAt": t.expires_at,
                        "lastUsedAt": t.last_used_at,
                        "revokedAt": t.revoked_at,
                        "state": TokenState::of(t, now).as_str(),
                    })
                })
                .collect();
            let text =
                serde_json::to_string_pretty(&items).map_err(|e| Error::Internal(e.to_string()))?;
            writeln!(out, "{text}").map_err(io)?;
        }
        ListFormat::Table => {
            writeln!(
                out,
                "{:<36}  {:<16}  {:<5}  {:<12}  {:<20}  {:<20}  {:<20}  STATE",
                "ID", "NAME", "ROLE", "CLUSTER", "CREATED", "EXPIRES", "LAST USED"
            )
            .map_err(io)?;
            for t in &rows {
                writeln!(
                    out,
                    "{:<36}  {:<16}  {:<5}  {:<12}  {:<20}  {:<20}  {:<20}  {}",
                    t.id,
                    t.name.as_deref().unwrap_or("-"),
                    t.role.as_str(),
                    t.cluster_id.as_deref().unwrap_or("-"),
                    time(Some(t.created_at), "-"),
                    time(t.expires_at, "never"),
                    time(t.last_used_at, "never"),
                    TokenState::of(t, now).as_str()
                )
                .map_err(io)?;
            }
        }
    }
    Ok(0)
}

/// `token revoke ID`: an unknown id is an error (exit 2); revoking twice says so (exit 0).
fn revoke(args: &TokenRevokeArgs) -> Result<i32> {
    let id = uuid::Uuid::parse_str(args.id.trim()).map_err(|_| {
        Error::Invalid(format!(
            "'{}' is not a token id (see cis-scan token list)",
            args.id
        ))
    })?;
    let settings = Settings::load(args.config.config.as_deref())?;
    let outcome = runtime()?.block_on(async {
        Store::connect(settings.database.url.expose_secret())
            .await?
            .revoke_token(id)
            .await
    })?;
    match outcome {
        Revoked::Now => {
            eprintln!("cis-scan: token {id} revoked; every replica refuses it within 5 seconds.")
        }
        Revoked::Already(at) => eprintln!(
            "cis-scan: token {id} was already revoked at {}; nothing changed.",
            time(Some(at), "-")
        ),
        Revoked::Unknown => {
            return Err(Error::NotFound(format!(
                "no token with id {id} (see cis-scan token list)"
            )))
        }
    }
    Ok(0)
}
