//! Batched reads for fields that appear once per item of a list: a page of
//! reports asks for its results, a list of clusters for their latest reports.
//! Without batching every item is its own query, and one request with many
//! aliases can take the whole connection pool from everyone else.

use crate::engine::report::State;
use crate::error::Error;
use crate::service::store::entity::report;
use crate::service::store::{Store, StoredCheck};
use async_graphql::dataloader::{DataLoader, Loader};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// One report's checks under a filter; keys with the same filter load in one query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResultsKey {
    pub report: Uuid,
    /// Sorted and deduplicated, so equal filters batch together.
    pub states: Vec<State>,
    pub section: Option<String>,
}

impl ResultsKey {
    /// A key with its filter in canonical form.
    pub fn new(report: Uuid, mut states: Vec<State>, section: Option<String>) -> Self {
        states.sort();
        states.dedup();
        ResultsKey {
            report,
            states,
            section,
        }
    }
}

/// Loads check results for many reports at once.
pub struct ResultsLoader(Store);

impl Loader<ResultsKey> for ResultsLoader {
    type Value = Arc<Vec<StoredCheck>>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[ResultsKey],
    ) -> Result<HashMap<ResultsKey, Self::Value>, Self::Error> {
        let mut by_filter: HashMap<(&[State], Option<&str>), Vec<Uuid>> = HashMap::new();
        for k in keys {
            by_filter
                .entry((&k.states, k.section.as_deref()))
                .or_default()
                .push(k.report);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((states, section), reports) in by_filter {
            let mut found = self
                .0
                .check_results_of(&reports, states, section)
                .await
                .map_err(Arc::new)?;
            for r in reports {
                let checks = found.remove(&r).unwrap_or_default();
                out.insert(
                    ResultsKey {
                        report: r,
                        states: states.to_vec(),
                        section: section.map(str::to_string),
                    },
                    Arc::new(checks),
                );
            }
        }
        Ok(out)
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
    /// Loaders over the store, batching what resolvers ask for within a millisecond.
    pub fn new(store: Store) -> Self {
        Loaders {
            results: DataLoader::new(ResultsLoader(store.clone()), tokio::spawn)
                .max_batch_size(100),
            latest: DataLoader::new(LatestReportLoader(store), tokio::spawn).max_batch_size(500),
        }
    }
}
