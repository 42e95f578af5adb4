//! /metrics and deploy/monitoring: who may scrape, and the alert rules, dashboard and manifests
//! against a real service and promtool.

pub mod metrics_auth;
pub mod monitoring_manifests;
pub mod monitoring_promtool;
pub mod rules;
