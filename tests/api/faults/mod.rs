//! Faults: a process killed mid-scan, a database stopped.

pub mod fault_kill;
pub mod fault_postgres;
