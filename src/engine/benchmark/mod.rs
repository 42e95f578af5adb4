//! Benchmark definitions: rules written once, mapped to check ids by each CIS
//! version. Pure data handling: no I/O beyond reading definition files.

mod catalog;
mod condition;
pub mod load;
pub mod model;
mod policy_name;
mod raw;

pub use catalog::Catalog;
pub use condition::parse_mode;
pub use model::*;
pub use policy_name::PolicyName;
