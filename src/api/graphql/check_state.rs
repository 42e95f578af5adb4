//! A check's verdict as GraphQL shows it, and the engine's states it stands for.

use crate::engine::report::State;
use async_graphql::Enum;

/// The verdict of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CheckState {
    Pass,
    Fail,
    Warn,
    Skip,
    NotApplicable,
    Error,
}

impl From<State> for CheckState {
    fn from(s: State) -> Self {
        match s {
            State::Pass => CheckState::Pass,
            State::Fail => CheckState::Fail,
            State::Warn => CheckState::Warn,
            State::Skip => CheckState::Skip,
            State::NotApplicable => CheckState::NotApplicable,
            State::Error => CheckState::Error,
        }
    }
}

impl From<CheckState> for State {
    fn from(s: CheckState) -> Self {
        match s {
            CheckState::Pass => State::Pass,
            CheckState::Fail => State::Fail,
            CheckState::Warn => State::Warn,
            CheckState::Skip => State::Skip,
            CheckState::NotApplicable => State::NotApplicable,
            CheckState::Error => State::Error,
        }
    }
}

/// The engine's states for a filter's, none when no filter was given.
pub(super) fn engine_states(states: Option<Vec<CheckState>>) -> Vec<State> {
    states
        .unwrap_or_default()
        .into_iter()
        .map(State::from)
        .collect()
}
