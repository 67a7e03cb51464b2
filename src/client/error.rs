//! A failed request as the service explained it: its HTTP status, its (Spanish) message
//! and machine code, and the details it gave; or the network's reason when it did not
//! answer.

/// A failed request, as the service explained it (its Spanish `message` and `code`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// HTTP status, when the service answered.
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
    pub details: Option<serde_json::Value>,
}

impl Failure {
    /// The service did not answer (or the request could not be built).
    pub fn network(message: impl Into<String>) -> Self {
        Self {
            status: None,
            code: None,
            message: message.into(),
            details: None,
        }
    }
}

/// A route's answer: its `data`, or why there is none.
pub type Outcome<T> = Result<T, Failure>;
