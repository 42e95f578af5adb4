//! The API: GraphQL and HTTP routes over the service, and the application that
//! binds them to a port.

pub mod app;
pub mod error_codes;
pub mod graphql;
pub mod http;
