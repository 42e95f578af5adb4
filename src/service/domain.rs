//! The old home of the scan lifecycle types and `Principal`, kept as paths
//! for code outside the crate (the integration tests import them from here).
//! Inside the crate import them from where they live: `scan::lifecycle` and
//! `principal`.

pub use super::principal::Principal;
pub use super::scan::lifecycle::{ProgressCounts, ScanPhase, ScanProgress, ScanState};
