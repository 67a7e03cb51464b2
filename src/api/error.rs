//! A refusal as the service answers it: HTTP status, machine-readable code, a Spanish
//! message for the supervisor and optional details. The use cases (`campaign/`) build
//! them; `service/` turns them into the seed's envelope `{ success: false, message, code,
//! details }`. Plain data: no axum, no I/O.

use http::StatusCode;

use super::ErrorCode;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Machine-readable, snake_case on the wire.
    pub code: ErrorCode,
    /// Spanish, for a supervisor.
    pub message: String,
    pub details: Option<serde_json::Value>,
    /// Seconds a client should wait before trying again (503 from upstream limits).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn internal(what: impl std::fmt::Display) -> Self {
        // The detail goes to the log only: it may name paths of this machine.
        tracing::error!(error = %what, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Error interno del servidor; inténtelo de nuevo o revise el registro del servicio",
        )
    }

    pub fn batch_not_found(batch_id: &str) -> Self {
        Self::not_found(
            ErrorCode::BatchNotFound,
            format!("No se encontró el batch call «{}»", truncate(batch_id, 80)),
        )
    }

    pub fn upstream_missing() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ElevenlabsNotConfigured,
            "ElevenLabs no está configurado: defina ELEVENLABS_API_KEY",
        )
    }

    pub fn group_not_found(id: u64) -> Self {
        Self::not_found(
            ErrorCode::GroupNotFound,
            format!("Grupo {id} no encontrado"),
        )
    }
}

/// Cuts user-provided text before echoing it in a message.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Batch ids are ElevenLabs' (`btcal_…`): anything else is refused before going upstream.
pub fn check_batch_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::batch_not_found(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_long_echoes() {
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
    }

    #[test]
    fn batch_ids_are_checked_before_going_upstream() {
        assert!(check_batch_id("btcal_1-a").is_ok());
        assert_eq!(
            check_batch_id("../x").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }
}
