//! A scan's life as the store keeps it and subscribers see it: its state, the
//! phase it is in, and the progress events it sends.

use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Lifecycle of a scan. Stored as its name; a stored value that is none of
/// these is a database error naming it when the row is read (never a guess).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    async_graphql::Enum,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ScanState {
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// The process stopped while the scan ran; found and marked at the next start.
    #[sea_orm(string_value = "INTERRUPTED")]
    Interrupted,
}

impl ScanState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::Queued => "QUEUED",
            ScanState::Running => "RUNNING",
            ScanState::Succeeded => "SUCCEEDED",
            ScanState::Failed => "FAILED",
            ScanState::Cancelled => "CANCELLED",
            ScanState::Interrupted => "INTERRUPTED",
        }
    }

    /// True once the scan can change no more.
    pub fn is_final(self) -> bool {
        !matches!(self, ScanState::Queued | ScanState::Running)
    }
}

/// What a running scan is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScanPhase {
    Queued,
    Discovering,
    Collecting,
    Evaluating,
    Saving,
    Done,
}

/// How far a scan got: nodes and checks done of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressCounts {
    pub nodes_done: i32,
    pub nodes_total: i32,
    pub checks_done: i32,
    pub checks_total: i32,
}

/// One progress event of a scan, as streamed to subscribers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ScanProgress")]
pub struct ScanProgress {
    pub scan_id: async_graphql::ID,
    pub cluster_id: String,
    pub phase: ScanPhase,
    pub nodes_done: i32,
    pub nodes_total: i32,
    pub checks_done: i32,
    pub checks_total: i32,
    pub message: String,
    pub state: ScanState,
    pub report_id: Option<async_graphql::ID>,
}

impl ScanProgress {
    /// The counts this event carries.
    pub fn counts(&self) -> ProgressCounts {
        ProgressCounts {
            nodes_done: self.nodes_done,
            nodes_total: self.nodes_total,
            checks_done: self.checks_done,
            checks_total: self.checks_total,
        }
    }

    /// This event with these counts.
    pub fn with_counts(mut self, c: ProgressCounts) -> Self {
        (
            self.nodes_done,
            self.nodes_total,
            self.checks_done,
            self.checks_total,
        ) = (c.nodes_done, c.nodes_total, c.checks_done, c.checks_total);
        self
    }

    /// The scan id as a UUID.
    pub fn scan_uuid(&self) -> Option<Uuid> {
        Uuid::parse_str(&self.scan_id).ok()
    }
}
