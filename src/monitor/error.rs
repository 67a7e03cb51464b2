//! Upstream trouble while watching a batch, in words a supervisor understands.

use std::time::Duration;

use crate::api::ErrorCode;

/// Upstream trouble while watching a batch (Spanish message for supervisors).
#[derive(Debug, Clone, PartialEq)]
pub struct PollError {
    pub message: String,
    pub code: ErrorCode,
    pub status: Option<u16>,
    pub retry_after: Option<Duration>,
    /// The batch does not exist upstream: the poller has stopped.
    pub fatal: bool,
}

impl PollError {
    /// ElevenLabs' failure in words a supervisor understands; never the key or a raw body.
    pub fn from_upstream(e: &crate::elevenlabs::ElevenLabsError) -> Self {
        let status = e.status();
        let retry_after = e.retry_after();
        let (code, message) = if e.is_auth() {
            (
                ErrorCode::UpstreamAuth,
                "Clave de ElevenLabs inválida".to_string(),
            )
        } else if e.is_rate_limited() {
            let wait = retry_after
                .map(|d| format!(" en {} s", d.as_secs().max(1)))
                .unwrap_or_default();
            (
                ErrorCode::UpstreamRateLimited,
                format!("ElevenLabs está limitando las consultas; se reintentará{wait}"),
            )
        } else if e.is_not_found() {
            (
                ErrorCode::UpstreamNotFound,
                "ElevenLabs no encuentra el recurso pedido".to_string(),
            )
        } else if e.status().is_some_and(|s| (400..500).contains(&s)) {
            (
                ErrorCode::UpstreamRejected,
                format!("ElevenLabs rechazó la petición: {}", upstream_reason(e)),
            )
        } else if e.status().is_some() {
            (
                ErrorCode::UpstreamError,
                format!(
                    "ElevenLabs respondió con un error ({})",
                    status.unwrap_or(0)
                ),
            )
        } else {
            (
                ErrorCode::UpstreamUnavailable,
                "No se pudo contactar a ElevenLabs; se reintentará".to_string(),
            )
        };
        PollError {
            message,
            code,
            status,
            retry_after,
            fatal: e.is_not_found(),
        }
    }
}

/// ElevenLabs' own explanation of a 4xx (validation messages), short.
fn upstream_reason(e: &crate::elevenlabs::ElevenLabsError) -> String {
    match e {
        crate::elevenlabs::ElevenLabsError::Api { message, .. } => {
            let m: String = message.chars().take(300).collect();
            m
        }
        _ => String::new(),
    }
}
