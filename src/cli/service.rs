//! The service's commands: serve and migrate (tokens: `token_cli`).

use crate::api::app::Application;
use crate::cli::{ConfigArgs, ServeArgs};
use crate::error::{Error, Result};
use crate::service::settings::{redact, Settings};
use crate::service::store::Store;

/// Logs to stderr; RUST_LOG overrides. SQL statements stay quiet.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // colour codes only for a terminal: redirected logs stay plain text
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// A multi-threaded runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(e.to_string()))
}

/// `cis-scan serve`.
pub fn serve(args: &ServeArgs) -> Result<i32> {
    init_tracing();
    let mut settings = Settings::load(args.config.config.as_deref())?;
    if let Some(l) = &args.listen {
        settings.listen = l.clone();
        settings.validate()?;
    }
    // async-graphql-actix-web's websockets are actix actors: run inside an actix system
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await?;
        tracing::info!(
            "cis-scan listening on http://{}:{} (database {})",
            settings.listen_addr()?.ip(),
            app.port(),
            redact(&settings.database_url)
        );
        app.run_until_stopped()
            .await
            .map_err(|e| Error::Internal(format!("server: {e}")))?;
        Ok(0)
    })
}

/// `cis-scan migrate`.
pub fn migrate(args: &ConfigArgs) -> Result<i32> {
    init_tracing();
    let settings = Settings::load(args.config.as_deref())?;
    runtime()?.block_on(async {
        Store::connect(&settings.database_url).await?;
        eprintln!(
            "cis-scan: migrations applied to {}",
            redact(&settings.database_url)
        );
        Ok(0)
    })
}
