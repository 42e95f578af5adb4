//! The application: the service bound to a port with its GraphQL schema.
//! `Application::build` binds (port 0 in tests) and `run_until_stopped` serves.

use crate::error::{Error, Result};
use crate::service::clusters::ExtraCluster;
use crate::service::settings::Settings;
use crate::service::Service;
use std::net::TcpListener;
use std::sync::Arc;

/// The built, not yet running, service.
pub struct Application {
    port: u16,
    listener: TcpListener,
    pub state: Arc<Service>,
    schema: crate::api::graphql::AppSchema,
}

impl Application {
    /// Builds from settings.
    pub async fn build(settings: Settings) -> Result<Self> {
        Self::build_with(settings, Vec::new()).await
    }

    /// Builds from settings plus clusters given in code.
    pub async fn build_with(settings: Settings, extra: Vec<ExtraCluster>) -> Result<Self> {
        // bind first: a taken port must stop start-up before anything runs
        let listener =
            TcpListener::bind(settings.listen_addr()?).map_err(|source| Error::Listen {
                address: settings.server.listen.clone(),
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Internal(e.to_string()))?
            .port();
        let state = Service::start(settings.clone(), extra).await?;
        let schema = crate::api::graphql::build(
            Some(state.clone()),
            settings.limits.query_depth,
            settings.limits.query_complexity,
        );
        Ok(Application {
            port,
            listener,
            state,
            schema,
        })
    }

    /// The port bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The HTTP server, not yet polled (tests spawn it and keep its handle).
    pub fn into_server(self) -> std::io::Result<actix_web::dev::Server> {
        crate::api::http::server(self.listener, self.state, self.schema)
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.into_server()?.await
    }
}
