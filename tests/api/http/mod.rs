//! HTTP and websocket transport: request bodies, the UI's files, GraphQL over a websocket and its
//! rules.

pub mod nesting;
pub mod ui_assets;
pub mod ws_queries;
pub mod ws_rules;
