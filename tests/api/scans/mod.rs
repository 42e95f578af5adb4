//! Scans and what follows them: queueing and claims across replicas, progress, schedules, retention
//! and alerts.

pub mod alert_changes;
pub mod claims;
pub mod compact_storage;
pub mod flow;
pub mod lifecycle;
pub mod retention_manual;
pub mod scan_progress;
pub mod schedules;
