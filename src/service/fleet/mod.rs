//! The fleet view: every cluster the caller may see, each with its newest report of
//! one benchmark, and a matrix of check states (one row per check, one column per
//! cluster). Read in a few queries whatever the number of clusters, and bounded:
//! at most `MAX_PAGE` clusters per answer.

use crate::engine::benchmark::{Benchmark, Catalog};
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
    let mut compact: Vec<(Uuid, Option<String>)> = Vec::new();
    let columns: Vec<FleetCluster> = page
        .into_iter()
        .map(|c| FleetCluster {
            report: reports.remove(&c.id).map(|r| {
                compact.push((r.id, r.check_states.clone()));
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
    // a benchmark gone from the catalog since its reports were made keeps report order
    let order = match order {
        Some(b) => Some(b),
        None => catalog.get(&chosen).ok(),
    };
    let matrix = fill(store, Matrix::new(&columns), compact, order.as_deref()).await?;
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

/// Fills the matrix from each report's compact states (one value per report;
/// titles and sections from the benchmark's definitions, else from the rows)
/// and, for reports saved before that column, from their check rows.
async fn fill(
    store: &Store,
    mut matrix: Matrix,
    reports: Vec<(Uuid, Option<String>)>,
    benchmark: Option<&Benchmark>,
) -> Result<Matrix> {
    let (mut from_rows, mut compact) = (Vec::new(), Vec::new());
    for (id, stored) in reports {
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
    if untitled.is_empty() {
        return Ok(matrix);
    }
    let mut titles: HashMap<String, (String, String)> = HashMap::new();
    for id in &untitled {
        if let Some(c) = benchmark.and_then(|b| b.check(id)) {
            titles.insert(id.clone(), (c.title.clone(), c.section.clone()));
        }
    }
    let rest: Vec<String> = untitled
        .into_iter()
        .filter(|id| !titles.contains_key(id))
        .collect();
    if !rest.is_empty() {
        titles.extend(store.check_titles(&compact, &rest).await?);
    }
    matrix.set_titles(titles);
    // a check only a report deleted since its header was read had: not listed
    matrix.drop_untitled();
    Ok(matrix)
}

/// Gives reports saved before the compact check states their states, 100 at
/// a time in id order until none is left (start-up runs it in the background):
/// until then the fleet reads those reports' check rows, which is slower but
/// the same. Returns how many batches it wrote.
pub async fn backfill_check_states(store: &Store) -> Result<usize> {
    let (mut after, mut batches) = (None, 0);
    while let Some(last) = store.backfill_check_states(after, 100).await? {
        after = Some(last);
        batches += 1;
    }
    if batches > 0 {
        tracing::info!(batches, "compact check states written for older reports");
    }
    Ok(batches)
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
