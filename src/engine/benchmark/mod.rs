//! Benchmark definitions: rules written once, mapped to check ids by each CIS
//! version. Pure data handling: no I/O beyond reading definition files.

mod catalog;
pub mod choice;
mod condition;
mod embedded;
pub(crate) mod extend;
pub mod grouping;
mod info;
pub mod load;
pub mod model;
mod policy_name;
pub mod profile;
mod raw;

pub use catalog::Catalog;
pub use choice::{choose, Choice};
pub use condition::parse_mode;
pub use info::BenchmarkInfo;
pub use model::*;
pub use policy_name::PolicyName;
pub use profile::Profile;
