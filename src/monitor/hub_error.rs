//! What the hub's callers can be told went wrong: a status request (`HubError`) and a
//! resubmission of a stopped batch's undialled recipients (`ResumeError`).

use thiserror::Error;

use super::error::PollError;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum HubError {
    #[error("{}", .0.message)]
    Upstream(PollError),
    #[error("ElevenLabs no respondió a tiempo")]
    Timeout,
    #[error("el servicio se está cerrando")]
    ShuttingDown,
}

/// Why a stopped batch's undialled recipients cannot be resubmitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ResumeError {
    #[error("el lote no es de este servicio")]
    NotOurs,
    #[error("el lote sigue en curso; cancélelo o espere a que termine")]
    Running,
    #[error("el lote ya continúa en {0}")]
    AlreadyContinued(String),
    #[error("{}", .0.message)]
    Upstream(PollError),
    #[error("almacén: {0}")]
    Store(String),
}
