//! The web UI in a real browser (chromium through chromedriver). Every module name starts with
//! `browser_`, so `--skip browser_` leaves them out.

pub mod browser_a11y;
pub mod browser_actions;
pub mod browser_errors;
pub mod browser_fleet;
pub mod browser_graphiql;
pub mod browser_report;
pub mod browser_ui;
