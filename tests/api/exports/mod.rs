//! Report downloads and `check --format`: JSON, CSV, kube-bench, JUnit, XCCDF, OSCAL and SARIF,
//! read the way their consumers read them.

pub mod csv_export;
pub mod csv_injection;
pub mod exports_junit;
pub mod exports_oscal;
pub mod exports_sarif;
pub mod exports_stream;
pub mod exports_xccdf;
pub mod formats;
pub mod report_document;
