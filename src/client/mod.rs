//! HTTP client for `callboard serve`: the dashboard and the command line read the service
//! through it. Every answer is the service's envelope; a failure keeps the service's own
//! message and code.

mod envelope;
mod error;
mod service;

pub use envelope::{decode, decode_with_message};
pub use error::{Failure, Outcome};
pub use service::ServiceClient;
