//! Failures of the parts below (store, ElevenLabs, the live hub, the journal) as the
//! refusals the supervisor reads: never a raw upstream body, never the key.

use crate::api::{ApiError, ErrorCode};
use crate::journal::JournalError;
use crate::store::StoreError;
use http::StatusCode;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::conflict(ErrorCode::Conflict, m),
            other => ApiError::internal(other),
        }
    }
}

impl ApiError {
    /// ElevenLabs' failure, translated: never passed through raw, never the key.
    pub fn from_upstream(e: &crate::elevenlabs::ElevenLabsError) -> Self {
        Self::from_poll(crate::monitor::PollError::from_upstream(e))
    }

    pub fn from_poll(p: crate::monitor::PollError) -> Self {
        let status = match p.code {
            ErrorCode::UpstreamAuth => StatusCode::BAD_GATEWAY,
            ErrorCode::UpstreamRateLimited | ErrorCode::UpstreamUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ErrorCode::UpstreamNotFound => StatusCode::NOT_FOUND,
            ErrorCode::UpstreamRejected => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_GATEWAY,
        };
        let mut e = ApiError::new(status, p.code, p.message);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            e.retry_after = Some(p.retry_after.map(|d| d.as_secs().max(1)).unwrap_or(5));
        }
        e
    }
}

/// A failure of the live hub, for the caller.
pub fn hub_error(id: &str, e: crate::monitor::HubError) -> ApiError {
    match e {
        crate::monitor::HubError::Upstream(p) if p.fatal => ApiError::batch_not_found(id),
        crate::monitor::HubError::Upstream(p) => ApiError::from_poll(p),
        crate::monitor::HubError::Timeout => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::UpstreamTimeout,
            "ElevenLabs no respondió a tiempo",
        ),
        crate::monitor::HubError::ShuttingDown => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ShuttingDown,
            "El servicio se está cerrando",
        ),
    }
}

/// A failure of the journal's submit or settlement.
pub fn journal_error(e: JournalError) -> ApiError {
    match e {
        JournalError::Refused(e) => ApiError::from_upstream(&e),
        JournalError::Unknown(why) => unknown(&why),
        JournalError::Store(e) => e.into(),
    }
}

/// The outcome of a submit cannot be told yet.
pub fn unknown(why: &str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::SubmissionStateUnknown,
        format!(
            "No se pudo confirmar si ElevenLabs creó el lote ({why}); nadie será marcado dos veces: repita la petición con la misma Idempotency-Key en unos segundos"
        ),
    )
}

/// An upstream failure about one batch: its 404 is ours (the same as for a batch that
/// does not exist).
pub fn not_found_or(id: &str, e: &crate::elevenlabs::ElevenLabsError) -> ApiError {
    if e.is_not_found() {
        ApiError::batch_not_found(id)
    } else {
        ApiError::from_upstream(e)
    }
}
