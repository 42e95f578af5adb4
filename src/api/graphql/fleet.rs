//! The fleet query: every visible cluster's newest report of one benchmark and a
//! check-by-cluster matrix of states.

use super::context::{principal, state};
use super::errors::{coded, gql};
use super::paging::list_cost;
use super::types::{CheckState, Summary};
use crate::engine::report::Summary as EngineSummary;
use crate::service::fleet::{self, FleetRequest, DEFAULT_PAGE, MAX_PAGE};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

fn summary(s: &EngineSummary) -> Summary {
    Summary::from(s)
}

fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// How many visible clusters' newest reports are of a benchmark.
#[derive(SimpleObject)]
pub struct FleetBenchmark {
    /// The benchmark (or profile) id, e.g. "cis-1.11".
    pub benchmark: String,
    pub clusters: i32,
}

/// One cluster of the fleet (a column of the matrix).
#[derive(SimpleObject)]
pub struct FleetCluster {
    pub cluster_id: ID,
    pub cluster_name: String,
    /// Its newest report of the fleet's benchmark; null (and the report fields below
    /// null) when it has none.
    pub report_id: Option<ID>,
    /// The report's benchmark id, e.g. "cis-1.11" (as `Report.benchmarkVersion`).
    pub benchmark_version: Option<String>,
    pub benchmark_title: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The report's counts, as `Report.summary`.
    pub summary: Option<Summary>,
}

/// One check of the fleet (a row of the matrix).
#[derive(SimpleObject)]
pub struct FleetCheck {
    pub id: String,
    pub description: String,
    /// The top-level section ("1" to "5").
    pub section: String,
    /// The check's state on each cluster, in the order of `Fleet.clusters`; null where
    /// the cluster has no report of the benchmark or its report lacks the check
    /// (e.g. a scoredOnly scan).
    pub states: Vec<Option<CheckState>>,
    /// The states counted over the clusters that have one: `fail` is how many
    /// clusters fail the check.
    pub counts: Summary,
}

/// Many clusters side by side.
#[derive(SimpleObject)]
pub struct Fleet {
    /// The benchmark shown: the one asked for, else the most common among the
    /// visible clusters' newest reports; null when no visible cluster has a report.
    pub benchmark: Option<String>,
    /// The benchmarks of the visible clusters' newest reports, most common first:
    /// ask `fleet(benchmark:)` for another.
    pub benchmarks: Vec<FleetBenchmark>,
    /// Visible clusters in all, whatever the page.
    pub total_clusters: i32,
    /// The page of clusters, in id order; a cluster without a report of the benchmark
    /// is listed with null report fields.
    pub clusters: Vec<FleetCluster>,
    /// The checks found in the page's reports, in the benchmark's order (worst first
    /// when asked), each with one state per cluster.
    pub checks: Vec<FleetCheck>,
}

impl From<fleet::Fleet> for Fleet {
    fn from(f: fleet::Fleet) -> Self {
        Fleet {
            benchmark: f.benchmark,
            benchmarks: f
                .benchmarks
                .into_iter()
                .map(|s| FleetBenchmark {
                    benchmark: s.benchmark,
                    clusters: int(s.clusters),
                })
                .collect(),
            total_clusters: int(f.total_clusters),
            clusters: f
                .clusters
                .into_iter()
                .map(|c| FleetCluster {
                    cluster_id: ID(c.id),
                    cluster_name: c.name,
                    report_id: c.report.as_ref().map(|r| ID(r.id.to_string())),
                    benchmark_version: c.report.as_ref().map(|r| r.benchmark.clone()),
                    benchmark_title: c.report.as_ref().map(|r| r.benchmark_title.clone()),
                    finished_at: c.report.as_ref().map(|r| r.finished_at),
                    summary: c.report.as_ref().map(|r| summary(&r.summary)),
                })
                .collect(),
            checks: f
                .checks
                .into_iter()
                .map(|c| FleetCheck {
                    counts: summary(&c.counts),
                    id: c.id,
                    description: c.title,
                    section: c.section,
                    states: c.states.into_iter().map(|s| s.map(Into::into)).collect(),
                })
                .collect(),
        }
    }
}

/// The fleet query.
#[derive(Default)]
pub struct FleetQuery;

#[Object]
impl FleetQuery {
    /// Every cluster the caller may see (an owner: its own) with its newest report of
    /// one benchmark, and every check's state on each of them.
    ///
    /// One benchmark at a time, because check ids mean different things in different
    /// benchmarks: `benchmark` picks it (an unknown id is BAD_USER_INPUT listing the
    /// known ones); without it the fleet shows the benchmark most of the clusters'
    /// newest reports use (ties: the smaller id), and `benchmarks` lists the others.
    /// A cluster's column is then its newest report of that benchmark, even when a
    /// newer report of another benchmark exists; a cluster with none stays listed
    /// with null report fields and null states.
    ///
    /// Clusters come in id order, `first` (1 to 500, default 100) after `offset`.
    /// Cost: `first` times the fields asked per cluster and per check.
    #[graphql(complexity = "list_cost(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn fleet(
        &self,
        ctx: &Context<'_>,
        benchmark: Option<String>,
        #[graphql(default = 100)] first: Option<i32>,
        #[graphql(default = 0)] offset: Option<i32>,
        #[graphql(default = false)] worst_first: bool,
    ) -> Result<Fleet> {
        let p = principal(ctx)?;
        let first = first.unwrap_or(DEFAULT_PAGE as i32);
        let offset = offset.unwrap_or(0);
        if first < 1 || first as usize > MAX_PAGE || offset < 0 {
            return Err(coded(
                "BAD_USER_INPUT",
                format!("first must be between 1 and {MAX_PAGE} and offset must not be negative"),
            ));
        }
        let svc = state(ctx);
        let req = FleetRequest {
            benchmark,
            offset: offset as usize,
            first: first as usize,
            worst_first,
        };
        let f = svc.visible_fleet(&req, p).await.map_err(gql)?;
        Ok(f.into())
    }
}
