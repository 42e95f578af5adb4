//! Gathers what /metrics tells from the database: a handful of grouped queries
//! per scrape, plus the report before each cluster's latest one only when the
//! latest is new to this replica (a report never changes, so its count of new
//! failures is remembered).

use super::compute::{add_scan_groups, add_skips, failing, failing_checks, new_failures, unix};
use super::figures::{ClusterFigures, Figures, ScheduleFigures};
use super::ClusterGauges;
use crate::engine::report::State;
use crate::error::Result;
use crate::service::schedule::cron;
use crate::service::store::entity::report;
use crate::service::store::{check_states, Store};
use crate::service::Service;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use uuid::Uuid;

/// Cron patterns whose interval is remembered; past this the memo starts over.
const MAX_REMEMBERED_PATTERNS: usize = 4096;

/// A cluster's latest report as the figures need it: its benchmark and check states.
type Latest = (String, Vec<(String, State)>);

/// What a replica remembers between scrapes.
#[derive(Debug, Default)]
pub struct Memo {
    /// New failures of each cluster's latest report, by report id.
    new_failures: Mutex<HashMap<Uuid, i64>>,
    /// The longest interval of each (cron, time zone), in seconds.
    intervals: Mutex<HashMap<(String, String), Option<f64>>>,
}

impl Memo {
    /// New failures of `latest` (its compact states `head`) against the cluster's
    /// report before it; 0 for a first report, None when states are not stored.
    async fn new_failures_of(
        &self,
        store: &Store,
        cluster: &str,
        latest: Uuid,
        head: &[(String, State)],
    ) -> Result<Option<i64>> {
        let known = self.lock_failures().get(&latest).copied();
        if known.is_some() {
            return Ok(known);
        }
        let rows = store.recent_check_states(cluster, 2).await?;
        let n = match rows.as_slice() {
            [newest] if newest.id == latest => Some(0),
            [newest, before] if newest.id == latest => before
                .check_states
                .as_deref()
                .and_then(check_states::decode)
                .map(|base| new_failures(&base, head)),
            // a newer report landed meanwhile: the next scrape counts it
            _ => None,
        };
        if let Some(n) = n {
            self.lock_failures().insert(latest, n);
        }
        Ok(n)
    }

    fn lock_failures(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, i64>> {
        self.new_failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The longest interval of a schedule's pattern, in seconds.
    fn interval(&self, cron_expr: &str, tz: &str, now: DateTime<Utc>) -> Option<f64> {
        let key = (cron_expr.to_string(), tz.to_string());
        let mut memo = self.intervals.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = memo.get(&key) {
            return *v;
        }
        let v = cron::timing(cron_expr, tz)
            .ok()
            .and_then(|t| t.longest_interval(now))
            .map(|d| d.num_seconds() as f64);
        if memo.len() >= MAX_REMEMBERED_PATTERNS {
            memo.clear();
        }
        memo.insert(key, v);
        v
    }
}

impl Service {
    /// The Prometheus text exposition of /metrics.
    pub async fn metrics_text(&self) -> Result<String> {
        let store = self.store();
        let memo = &self.scanner.metrics.memo;
        let now = self.scanner.clock.now();
        let ids: Vec<String> = store
            .clusters(None)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut latest = store.latest_reports_of(&ids).await?;
        let mut gauges = Vec::new();
        let mut clusters: Vec<ClusterFigures> = Vec::new();
        // per cluster with stored compact states: its latest report's benchmark and states
        let mut states: BTreeMap<&str, Latest> = BTreeMap::new();
        let mut latest_ids = HashSet::new();
        for id in &ids {
            let mut c = ClusterFigures {
                cluster: id.clone(),
                ..Default::default()
            };
            if let Some(r) = latest.remove(id) {
                latest_ids.insert(r.id);
                c.last_duration =
                    Some((r.finished_at - r.started_at).num_milliseconds() as f64 / 1000.0);
                if let Some(head) = r.check_states.as_deref().and_then(check_states::decode) {
                    c.new_failures = memo.new_failures_of(store, id, r.id, &head).await?;
                    states.insert(id, (r.benchmark.clone(), head));
                }
                gauges.push(gauges_of(r));
            }
            clusters.push(c);
        }
        // reports that are no longer a cluster's latest are forgotten
        memo.lock_failures().retain(|id, _| latest_ids.contains(id));
        let by_schedule = add_scan_groups(&mut clusters, &store.scan_groups().await?);
        let failing_now: HashMap<&str, HashSet<&str>> = states
            .iter()
            .map(|(c, (_, s))| {
                let ids = s
                    .iter()
                    .filter(|(_, st)| failing(*st))
                    .map(|(id, _)| id.as_str());
                (*c, ids.collect())
            })
            .collect();
        add_skips(
            &mut clusters,
            &store.skip_expiries().await?,
            &failing_now,
            now,
        );
        let known: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let schedules = store
            .schedules(None)
            .await?
            .into_iter()
            .filter(|s| s.enabled && known.contains(s.cluster_id.as_str()))
            .map(|s| ScheduleFigures {
                interval: memo.interval(&s.cron, &s.timezone, now),
                created: unix(s.created_at),
                last_success: by_schedule.get(&s.id).copied().map(unix),
                schedule: s.id.to_string(),
                cluster: s.cluster_id,
            })
            .collect();
        let failing_checks =
            failing_checks(states.values().map(|(b, s)| (b.as_str(), s.as_slice())));
        // a size the database cannot tell is left out rather than failing the scrape
        let database_bytes = match store.database_bytes().await {
            Ok(b) => Some(b),
            Err(e) => {
                tracing::warn!("database size: {}", e.chain());
                None
            }
        };
        let figures = Figures {
            clusters,
            schedules,
            failing_checks,
            database_bytes,
        };
        let queued = store.queued_scan_count().await?;
        Ok(self.scanner.metrics.render(&gauges, &figures, queued))
    }
}

/// The cis-operator gauges of a cluster's latest report.
fn gauges_of(r: report::Model) -> ClusterGauges {
    ClusterGauges {
        cluster: r.cluster_id,
        scan: r.scan_id.to_string(),
        profile: r.benchmark,
        total: r.total as i64,
        pass: r.pass as i64,
        fail: (r.fail + r.error) as i64,
        warn: r.warn as i64,
        skip: r.skip as i64,
        na: r.not_applicable as i64,
    }
}
