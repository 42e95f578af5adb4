//! The `cis-scan` binary as a user runs it: local checks, `serve`, the remote commands and `token`.

pub mod cli_friction;
pub mod cli_remote;
pub mod cli_remote_errors;
pub mod commands;
pub mod token_cli;
