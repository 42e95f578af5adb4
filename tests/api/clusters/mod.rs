//! Clusters beyond the demo: live clusters against the in-process fake API server, registered
//! kubeconfigs and where the service's own requests may go.

pub mod cluster_source;
pub mod kubeconfig_policy;
pub mod live;
pub mod live_errors;
pub mod outbound;
pub mod outbound_reach;
