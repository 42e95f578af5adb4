//! What a caller may see and do: the one place that decides it, for reports,
//! clusters, scans, schedules, skips, listings and metrics. Resolvers and HTTP
//! handlers ask here and never judge a [`Principal`] themselves: the two
//! questions every rule below is built on (`can_access`, `only_cluster`) are
//! private to the service, so the compiler keeps the API layer from deciding.
//! Something a caller may not see does not exist for them: NOT_FOUND, never
//! FORBIDDEN, so an owner cannot learn which ids another owner has.

use super::auth::{bearer, secret_matches, AuthOutcome, Refusal};
use super::cluster_list::{list_clusters, ClusterListing, ClusterPage};
use super::fleet::{fleet, Fleet, FleetRequest};
use super::principal::Principal;
use super::report_view::ReportHeader;
use super::store::entity::{cluster, report, scan, schedule};
use super::store::Store;
use super::Service;
use crate::error::{shown, Error, Result};
use secrecy::ExposeSecret;
use std::sync::Arc;
use uuid::Uuid;

impl Principal {
    /// True when this caller may see and act on the cluster.
    pub(in crate::service) fn can_access(&self, cluster_id: &str) -> bool {
        match self {
            Principal::Admin { .. } => true,
            Principal::Owner { cluster_id: c, .. } => c == cluster_id,
        }
    }

    /// The one cluster an owner is limited to; None for admins.
    pub(in crate::service) fn only_cluster(&self) -> Option<&str> {
        match self {
            Principal::Admin { .. } => None,
            Principal::Owner { cluster_id, .. } => Some(cluster_id),
        }
    }

    /// FORBIDDEN with `why` unless the caller is an administrator (what only
    /// administrators may do: register and remove clusters, read metrics).
    pub fn require_admin(&self, why: &str) -> Result<()> {
        match self {
            Principal::Admin { .. } => Ok(()),
            Principal::Owner { .. } => Err(Error::Forbidden(why.to_string())),
        }
    }

    /// True when the caller may read where a cluster's facts come from: the
    /// description names server paths, which only administrators see.
    pub fn may_see_sources(&self) -> bool {
        matches!(self, Principal::Admin { .. })
    }
}

fn no_cluster(id: &str) -> Error {
    Error::NotFound(format!("no cluster '{}'", shown(id)))
}

fn no_report(id: Uuid) -> Error {
    Error::NotFound(format!("no report {id}"))
}

/// Active cluster `id` when `by` may see it. The service and the layers that
/// hold only a store (scanner, scheduler) share this one rule.
pub async fn visible_cluster_in(store: &Store, id: &str, by: &Principal) -> Result<cluster::Model> {
    let found = if by.can_access(id) {
        store.cluster(id).await?
    } else {
        None
    };
    found.ok_or_else(|| no_cluster(id))
}

/// Scan `id` when `by` may see it.
pub async fn visible_scan_in(store: &Store, id: Uuid, by: &Principal) -> Result<scan::Model> {
    match store.scan(id).await? {
        Some(s) if by.can_access(&s.cluster_id) => Ok(s),
        _ => Err(Error::NotFound(format!("no scan {id}"))),
    }
}

/// Schedule `id` when `by` may see it.
pub async fn visible_schedule_in(
    store: &Store,
    id: Uuid,
    by: &Principal,
) -> Result<schedule::Model> {
    match store.schedule(id).await? {
        Some(s) if by.can_access(&s.cluster_id) => Ok(s),
        _ => Err(Error::NotFound(format!("no schedule {id}"))),
    }
}

/// Which clusters a listing of `by`'s shows: the one asked for when `by` may
/// see it (NOT_FOUND otherwise), else an owner's own, else every cluster (None).
pub async fn listing_scope_in(
    store: &Store,
    asked: Option<&str>,
    by: &Principal,
) -> Result<Option<String>> {
    match asked {
        Some(c) => Ok(Some(visible_cluster_in(store, c, by).await?.id)),
        None => Ok(by.only_cluster().map(str::to_string)),
    }
}

impl Service {
    /// The header of report `id` (from the report cache) when `by` may see it.
    pub async fn visible_report(&self, id: Uuid, by: &Principal) -> Result<Arc<ReportHeader>> {
        match self.reports.header(id).await? {
            Some(r) if by.can_access(&r.cluster_id) => Ok(r),
            _ => Err(no_report(id)),
        }
    }

    /// The stored row of report `id` (what downloads read) when `by` may see it.
    pub async fn visible_report_row(&self, id: Uuid, by: &Principal) -> Result<report::Model> {
        match self.store().report(id).await? {
            Some(r) if by.can_access(&r.cluster_id) => Ok(r),
            _ => Err(no_report(id)),
        }
    }

    /// The cluster's report just before `of` (by creation time, then id) when
    /// `by` may see it; None for the first.
    pub async fn visible_previous_report(
        &self,
        of: &ReportHeader,
        by: &Principal,
    ) -> Result<Option<Arc<ReportHeader>>> {
        if !by.can_access(&of.cluster_id) {
            return Ok(None);
        }
        let row = self
            .store()
            .previous_report(&of.cluster_id, of.created_at, of.id)
            .await?;
        row.map(|r| self.reports.remember(r)).transpose()
    }

    /// Deletes report `id` when `by` may see it; a second delete is NOT_FOUND.
    pub async fn delete_report(&self, id: Uuid, by: &Principal) -> Result<()> {
        self.visible_report(id, by).await?;
        if self.reports.delete(id).await? {
            Ok(())
        } else {
            Err(no_report(id))
        }
    }

    /// Active cluster `id` when `by` may see it.
    pub async fn visible_cluster(&self, id: &str, by: &Principal) -> Result<cluster::Model> {
        visible_cluster_in(self.store(), id, by).await
    }

    /// Which clusters a listing shows (see [`listing_scope_in`]).
    pub async fn listing_scope(
        &self,
        asked: Option<&str>,
        by: &Principal,
    ) -> Result<Option<String>> {
        listing_scope_in(self.store(), asked, by).await
    }

    /// The page `listing` asks for among the clusters `by` may see.
    pub async fn visible_clusters(
        &self,
        listing: &ClusterListing,
        by: &Principal,
    ) -> Result<ClusterPage> {
        list_clusters(self.store(), by.only_cluster(), listing).await
    }

    /// The fleet across the clusters `by` may see.
    pub async fn visible_fleet(&self, req: &FleetRequest, by: &Principal) -> Result<Fleet> {
        fleet(self.store(), &self.scanner.catalog, by.only_cluster(), req).await
    }

    /// Who may scrape metrics, from the request's Authorization header: the
    /// configured metrics token (compared in constant time) or an
    /// administrator's token. An owner's token is known but not enough.
    pub async fn metrics_access(&self, authorization: Option<&str>) -> Result<()> {
        let Some(token) = authorization.and_then(bearer) else {
            return Err(Error::Unauthenticated(Refusal::Missing));
        };
        if let Some(expected) = &self.settings.metrics.token {
            if secret_matches(token, expected.expose_secret()) {
                return Ok(());
            }
        }
        match self.authenticate(token).await? {
            AuthOutcome::Accepted(p) => {
                p.require_admin("metrics need the metrics token or an administrator token")
            }
            AuthOutcome::Refused(why) => Err(Error::Unauthenticated(why)),
        }
    }
}
