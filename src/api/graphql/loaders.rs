//! Batched reads for fields that appear once per item of a list: a page of
//! reports asks for its results, a list of clusters for their latest reports.
//! Without batching every item is its own query, and one request with many
//! aliases can take the whole connection pool from everyone else.

use crate::error::Error;
use crate::service::report_cache::{ReportCache, ReportChecks};
use crate::service::store::entity::report;
use crate::service::store::Store;
use async_graphql::dataloader::{DataLoader, Loader};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// A batched load failed: only database errors reach here (logged with their
/// causes, answered INTERNAL).
pub(super) fn shared(e: std::sync::Arc<crate::Error>) -> async_graphql::Error {
    super::errors::coded("INTERNAL", e.log_internal())
}

/// Loads the parsed checks of many reports at once: those in the report cache
/// from memory, the rest in one query (and then cached). Filters and pages are
/// applied in memory by the resolvers.
pub struct ResultsLoader(ReportCache);

impl Loader<Uuid> for ResultsLoader {
    type Value = ReportChecks;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.0.checks_of(keys).await.map_err(Arc::new)
    }
}

/// Loads the newest report of many clusters at once.
pub struct LatestReportLoader(Store);

impl Loader<String> for LatestReportLoader {
    type Value = report::Model;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, report::Model>, Self::Error> {
        self.0.latest_reports_of(keys).await.map_err(Arc::new)
    }
}

/// The loaders a request's resolvers share.
pub struct Loaders {
    pub results: DataLoader<ResultsLoader>,
    pub latest: DataLoader<LatestReportLoader>,
}

impl Loaders {
    /// Loaders over the store and the report cache, batching what resolvers ask for
    /// within a millisecond.
    pub fn new(store: Store, reports: ReportCache) -> Self {
        Loaders {
            results: DataLoader::new(ResultsLoader(reports), tokio::spawn).max_batch_size(100),
            latest: DataLoader::new(LatestReportLoader(store), tokio::spawn).max_batch_size(500),
        }
    }
}
