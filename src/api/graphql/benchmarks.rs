//! The benchmarks and profiles this service knows, and a cluster's default benchmark.

use super::context::{principal, state};
use super::errors::gql;
use super::types::Cluster;
use async_graphql::{Context, Object, Result, SimpleObject, ID};

/// A benchmark: who it is written for and the Kubernetes versions it covers.
#[derive(SimpleObject)]
pub struct BenchmarkInfo {
    pub id: String,
    pub title: String,
    /// generic, rke2, k3s, eks, gke or aks.
    pub provider: String,
    /// Oldest Kubernetes version covered, e.g. "1.29".
    pub kubernetes_min: Option<String>,
    /// Newest Kubernetes version covered; null when open-ended.
    pub kubernetes_max: Option<String>,
}

/// A check a profile skips, and why.
#[derive(SimpleObject)]
pub struct ProfileSkip {
    pub id: String,
    pub reason: String,
}

/// A profile: a benchmark plus a named set of skips; chosen by id like a benchmark.
#[derive(SimpleObject)]
pub struct ProfileInfo {
    pub id: String,
    pub title: String,
    /// The benchmark it runs.
    pub benchmark: String,
    pub skips: Vec<ProfileSkip>,
}

fn version(v: Option<(u32, u32)>) -> Option<String> {
    v.map(|(a, b)| format!("{a}.{b}"))
}

/// Queries about benchmarks.
#[derive(Default)]
pub struct BenchmarkQuery;

#[Object]
impl BenchmarkQuery {
    /// Every benchmark, oldest first within each provider's versions.
    async fn benchmarks(&self, ctx: &Context<'_>) -> Result<Vec<BenchmarkInfo>> {
        principal(ctx)?;
        Ok(state(ctx)
            .scanner
            .catalog
            .infos()
            .map(|i| BenchmarkInfo {
                id: i.id.clone(),
                title: i.title.clone(),
                provider: i.provider.as_str().to_string(),
                kubernetes_min: version(i.kubernetes_min),
                kubernetes_max: version(i.kubernetes_max),
            })
            .collect())
    }

    /// Every profile, with the checks it skips and why.
    async fn profiles(&self, ctx: &Context<'_>) -> Result<Vec<ProfileInfo>> {
        principal(ctx)?;
        Ok(state(ctx)
            .scanner
            .catalog
            .profiles()
            .iter()
            .map(|p| ProfileInfo {
                id: p.id.clone(),
                title: p.title.clone(),
                benchmark: p.benchmark.clone(),
                skips: p
                    .skips
                    .iter()
                    .map(|(id, reason)| ProfileSkip {
                        id: id.clone(),
                        reason: reason.clone(),
                    })
                    .collect(),
            })
            .collect())
    }
}

/// Benchmark mutations.
#[derive(Default)]
pub struct BenchmarkMutation;

#[Object]
impl BenchmarkMutation {
    /// Stores the benchmark (or profile) a registered cluster's scans use unless
    /// one is asked for; null clears it, so the provider and Kubernetes version
    /// decide again. An unknown id is BAD_USER_INPUT listing the known ones.
    async fn set_cluster_benchmark(
        &self,
        ctx: &Context<'_>,
        cluster_id: ID,
        benchmark: Option<String>,
    ) -> Result<Cluster> {
        let p = principal(ctx)?;
        let row = crate::service::cluster_registration::set_benchmark(
            state(ctx),
            p,
            &cluster_id,
            benchmark.as_deref(),
        )
        .await
        .map_err(gql)?;
        Ok(Cluster(row))
    }
}
