//! What GraphQL shows of the engine's report types: a check's verdict (the
//! engine's `State` as a remote enum, converted both ways by the derive) and a
//! node left out of a scan. The engine itself derives nothing of GraphQL.

use crate::engine::report::{ExcludedNode as EngineExcluded, State};
use async_graphql::{Enum, SimpleObject};

/// The verdict of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::engine::report::State")]
pub enum CheckState {
    Pass,
    Fail,
    Warn,
    Skip,
    NotApplicable,
    Error,
}

/// The engine's states for a filter's, none when no filter was given.
pub(super) fn engine_states(states: Option<Vec<CheckState>>) -> Vec<State> {
    states
        .unwrap_or_default()
        .into_iter()
        .map(State::from)
        .collect()
}

/// A node left out of a scan.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct ExcludedNode {
    pub node: String,
    pub reason: String,
}

impl From<&EngineExcluded> for ExcludedNode {
    fn from(e: &EngineExcluded) -> Self {
        ExcludedNode {
            node: e.node.clone(),
            reason: e.reason.clone(),
        }
    }
}
