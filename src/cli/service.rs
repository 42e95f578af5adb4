//! The service's commands: serve and migrate (tokens: `cli::token`).

use crate::api::app::Application;
use crate::cli::{ConfigArgs, ServeArgs};
use crate::error::{Error, Result};
use crate::service::settings::Settings;
use crate::service::store::Store;
use secrecy::ExposeSecret;

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
    let settings =
        Settings::load_with_listen(args.config.config.as_deref(), args.listen.as_deref())?;
    // async-graphql-actix-web's websockets are actix actors: run inside an actix system
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await?;
        let bound = std::net::SocketAddr::new(settings.listen_addr()?.ip(), app.port());
        // the port bound, not the one asked for: with port 0 it is how a reader learns it
        tracing::info!(
            "cis-scan listening on http://{bound} (database {})",
            settings.database.url_for_logs()
        );
        let server = app
            .into_server()
            .map_err(|e| Error::Internal(format!("server: {e}")))?;
        if let Some(path) = &args.ready_file {
            write_ready_file(path, bound)?;
        }
        server
            .await
            .map_err(|e| Error::Internal(format!("server: {e}")))?;
        Ok(0)
    })
}

/// Writes `address` to `path` whole: into a sibling temporary file renamed over
/// `path`, so a reader polling for the file never sees half of it.
fn write_ready_file(path: &std::path::Path, address: std::net::SocketAddr) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    std::fs::write(&partial, format!("{address}\n"))
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| Error::io(path, e))
}

/// `cis-scan migrate`.
pub fn migrate(args: &ConfigArgs) -> Result<i32> {
    init_tracing();
    let settings = Settings::load(args.config.as_deref())?;
    runtime()?.block_on(async {
        Store::connect(settings.database.url.expose_secret()).await?;
        eprintln!(
            "cis-scan: migrations applied to {}",
            settings.database.url_for_logs()
        );
        Ok(0)
    })
}
