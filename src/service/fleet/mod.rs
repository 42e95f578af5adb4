//! The fleet view: every cluster the caller may see, each with its newest report of
//! one benchmark, and a matrix of check states (one row per check, one column per
//! cluster). Read in a few queries whatever the number of clusters, and bounded:
//! at most `MAX_PAGE` clusters per answer.

use crate::engine::benchmark::Catalog;
use crate::engine::report::{State, Summary};
use crate::error::{Error, Result};
use crate::service::store::{check_states, Store};
use chrono::{DateTime, Utc};
use matrix::Matrix;
use std::collections::HashMap;
use uuid::Uuid;

mod matrix;

/// Most clusters in one fleet answer.
pub const MAX_PAGE: usize = 500;
/// Clusters in a fleet answer when `first` is not given.
pub const DEFAULT_PAGE: usize = 100;

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct FleetRequest {
    /// Only reports of this benchmark (or profile) id; None: the most common one.
    pub benchmark: Option<String>,
    /// Clusters (in id order) to skip.
    pub offset: usize,
    /// Clusters to return, 1 to `MAX_PAGE`.
    pub first: usize,
    /// Checks with the most failing clusters first, instead of benchmark order.
    pub worst_first: bool,
}

/// How many clusters' newest reports are of a benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkShare {
    pub benchmark: String,
    pub clusters: usize,
}

/// A cluster's newest report of the fleet's benchmark.
#[derive(Debug, Clone)]
pub struct FleetReport {
    pub id: Uuid,
    pub benchmark: String,
    pub benchmark_title: String,
    pub finished_at: DateTime<Utc>,
    pub summary: Summary,
}

/// One column of the matrix.
#[derive(Debug, Clone)]
pub struct FleetCluster {
    pub id: String,
    pub name: String,
    /// None when the cluster has no report of the fleet's benchmark.
    pub report: Option<FleetReport>,
}

/// One row of the matrix: a check's state on each cluster, in `Fleet::clusters` order.
#[derive(Debug, Clone)]
pub struct FleetCheck {
    pub id: String,
    pub title: String,
    pub section: String,
    /// None where the cluster has no report or its report lacks the check.
    pub states: Vec<Option<State>>,
    /// The states counted over the clusters that have one.
    pub counts: Summary,
}

/// The answer.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    /// The benchmark shown; None when no visible cluster has a report.
    pub benchmark: Option<String>,
    /// Benchmarks of the visible clusters' newest reports, most common first.
    pub benchmarks: Vec<BenchmarkShare>,
    /// Visible clusters in all, whatever the page.
    pub total_clusters: usize,
    pub clusters: Vec<FleetCluster>,
    pub checks: Vec<FleetCheck>,
}

/// Counts benchmarks over the newest reports: most common first, then by id.
pub fn shares(latest: &HashMap<String, String>) -> Vec<BenchmarkShare> {
    let mut n: HashMap<&str, usize> = HashMap::new();
    for b in latest.values() {
        *n.entry(b.as_str()).or_default() += 1;
    }
    let mut out: Vec<BenchmarkShare> = n
        .into_iter()
        .map(|(b, clusters)| BenchmarkShare {
            benchmark: b.to_string(),
            clusters,
        })
        .collect();
    out.sort_by(|a, b| {
        b.clusters
            .cmp(&a.clusters)
            .then_with(|| a.benchmark.cmp(&b.benchmark))
    });
    out
}

/// Builds the fleet for the clusters `only` allows (None: every cluster).
pub async fn fleet(
    store: &Store,
    catalog: &Catalog,
    only: Option<&str>,
    req: &FleetRequest,
) -> Result<Fleet> {
    if !(1..=MAX_PAGE).contains(&req.first) {
        return Err(Error::Invalid(format!(
            "first must be between 1 and {MAX_PAGE}"
        )));
    }
    // an unknown id is refused with the known ones listed
    let order = match &req.benchmark {
        Some(b) => Some(catalog.get(b)?),
        None => None,
    };
    let clusters = store.clusters(only).await?;
    let ids: Vec<String> = clusters.iter().map(|c| c.id.clone()).collect();
    let benchmarks = shares(&store.latest_benchmarks(&ids).await?);
    let Some(chosen) = req
        .benchmark
        .clone()
        .or_else(|| benchmarks.first().map(|s| s.benchmark.clone()))
    else {
        return Ok(Fleet {
            total_clusters: clusters.len(),
            clusters: page_without_reports(clusters, req),
            benchmarks,
            ..Fleet::default()
        });
    };
    let page: Vec<_> = clusters
        .iter()
        .skip(req.offset)
        .take(req.first)
        .cloned()
        .collect();
    let page_ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
    let mut reports = store.latest_reports_where(&page_ids, Some(&chosen)).await?;
    // each report's compact states, taken before the headers become columns
    let mut compact: Vec<(Uuid, DateTime<Utc>, Option<String>)> = Vec::new();
    let columns: Vec<FleetCluster> = page
        .into_iter()
        .map(|c| FleetCluster {
            report: reports.remove(&c.id).map(|r| {
                compact.push((r.id, r.created_at, r.check_states.clone()));
                FleetReport {
                    summary: crate::service::report_view::stored_summary(&r),
                    id: r.id,
                    benchmark: r.benchmark,
                    benchmark_title: r.benchmark_title,
                    finished_at: r.finished_at,
                }
            }),
            id: c.id,
            name: c.name,
        })
        .collect();
    let matrix = fill(store, Matrix::new(&columns), compact).await?;
    // a benchmark gone from the catalog since its reports were made keeps report order
    let order = match order {
        Some(b) => Some(b),
        None => catalog.get(&chosen).ok(),
    };
    let ranks: HashMap<&str, usize> = order
        .iter()
        .flat_map(|b| b.checks.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)))
        .collect();
    let mut checks = matrix.rows;
    checks.sort_by_key(|c| ranks.get(c.id.as_str()).copied().unwrap_or(usize::MAX));
    if req.worst_first {
        checks.sort_by_key(|c| std::cmp::Reverse(c.counts.fail + c.counts.error));
    }
    Ok(Fleet {
        benchmark: Some(chosen),
        benchmarks,
        total_clusters: clusters.len(),
        clusters: columns,
        checks,
    })
}

/// Fills the matrix from each report's compact states (one value per report,
/// titles from the newest report's rows) and, for reports saved before that
/// column, from their check rows.
async fn fill(
    store: &Store,
    mut matrix: Matrix,
    mut reports: Vec<(Uuid, DateTime<Utc>, Option<String>)>,
) -> Result<Matrix> {
    // newest first: titles come from the newest report that has the check
    reports.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    let (mut from_rows, mut compact) = (Vec::new(), Vec::new());
    for (id, _, stored) in reports {
        match stored.as_deref().and_then(check_states::decode) {
            Some(states) => {
                for (check, state) in states {
                    matrix.add_state(id, check, state);
                }
                compact.push(id);
            }
            None => from_rows.push(id),
        }
    }
    store
        .for_each_check_state(&from_rows, |row| matrix.add(row))
        .await?;
    let untitled = matrix.untitled();
    if !untitled.is_empty() {
        matrix.set_titles(store.check_titles(&compact, &untitled).await?);
    }
    Ok(matrix)
}

/// Gives reports saved before the compact check states their states, 100 at
/// a time until none is left (start-up runs it in the background): until then
/// the fleet reads those reports' check rows, which is slower but the same.
pub async fn backfill_check_states(store: &Store) -> Result<usize> {
    let mut total = 0;
    loop {
        match store.backfill_check_states(100).await? {
            0 => break,
            n => total += n,
        }
    }
    if total > 0 {
        tracing::info!(
            reports = total,
            "compact check states written for older reports"
        );
    }
    Ok(total)
}

fn page_without_reports(
    clusters: Vec<crate::service::store::entity::cluster::Model>,
    req: &FleetRequest,
) -> Vec<FleetCluster> {
    clusters
        .into_iter()
        .skip(req.offset)
        .take(req.first)
        .map(|c| FleetCluster {
            id: c.id,
            name: c.name,
            report: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_benchmark_comes_first_then_by_id() {
        let latest: HashMap<String, String> = [
            ("a", "cis-1.8"),
            ("b", "cis-1.11"),
            ("c", "cis-1.11"),
            ("d", "eks-1.7.0"),
            ("e", "cis-1.8"),
        ]
        .into_iter()
        .map(|(c, b)| (c.to_string(), b.to_string()))
        .collect();
        let s: Vec<(String, usize)> = shares(&latest)
            .into_iter()
            .map(|s| (s.benchmark, s.clusters))
            .collect();
        assert_eq!(
            s,
            [
                ("cis-1.11".to_string(), 2),
                ("cis-1.8".to_string(), 2),
                ("eks-1.7.0".to_string(), 1)
            ]
        );
    }
}
