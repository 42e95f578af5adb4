//! A replica that dies as a crashed process would, without a hook in the
//! service: it runs on its own tokio runtime, which is shut down mid-work, so
//! its tasks (scans, heartbeats, timers) stop and record nothing.

use crate::support::app::TestAppBuilder;
use crate::support::database::TestDatabase;
use cis_scan::service::Service;
use std::future::Future;
use std::sync::Arc;

/// A service on a runtime of its own.
pub struct Doomed {
    runtime: Option<tokio::runtime::Runtime>,
    service: Option<Arc<Service>>,
    _database: Arc<TestDatabase>,
}

impl Doomed {
    /// Starts the service `app` describes (no HTTP server: the test drives it directly).
    pub async fn start(app: TestAppBuilder) -> Doomed {
        let (settings, extra, database) = app.into_parts().await;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let service = runtime
            .spawn(Service::start(settings, extra))
            .await
            .expect("start-up task")
            .expect("the service starts");
        Doomed {
            runtime: Some(runtime),
            service: Some(service),
            _database: database,
        }
    }

    /// Runs `work` on the replica's runtime (its database pool lives there).
    pub async fn run<F, T>(&self, work: impl FnOnce(Arc<Service>) -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let service = self.service.clone().expect("running");
        let runtime = self.runtime.as_ref().expect("running");
        runtime
            .spawn(work(service))
            .await
            .expect("work on the replica")
    }

    /// Kills every task of the replica at once, as SIGKILL would; its
    /// database connections close, as the kernel closes a killed process's.
    pub fn crash(self) {
        drop(self);
    }
}

impl Drop for Doomed {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        self.service.take();
    }
}
