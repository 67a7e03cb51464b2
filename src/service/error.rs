//! The one mapping from every failure to the seed's envelope
//! `{ success: false, message, code, details }` with the right HTTP status. Handlers
//! return `ApiError`; nothing else builds an error response, so no failure can reach a
//! browser as a bare 500 page or a raw upstream body.

use crate::api::ErrorCode;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::Envelope;
use crate::store::StoreError;

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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut env = Envelope::error(self.message, self.code.as_str());
        env.details = self.details;
        let mut resp = (self.status, Json(env)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::conflict(ErrorCode::Conflict, m),
            other => ApiError::internal(other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::unprocessable(
                ErrorCode::InvalidBody,
                format!(
                    "El cuerpo JSON no tiene la forma esperada: {}",
                    body_reason(&e.body_text())
                ),
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(
                ErrorCode::InvalidJson,
                format!(
                    "El cuerpo no es JSON válido: {}",
                    body_reason(&e.body_text())
                ),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::JsonContentTypeRequired,
                "Envíe el cuerpo como JSON con la cabecera Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(e) => from_bytes_status(e.status()),
            other => from_bytes_status(other.status()),
        }
    }
}

/// Reading the body failed: mostly the size limit.
pub fn from_bytes_status(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            ErrorCode::BodyTooLarge,
            "El cuerpo de la petición es demasiado grande",
        )
    } else {
        ApiError::bad_request(
            ErrorCode::UnreadableBody,
            "No se pudo leer el cuerpo de la petición",
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::bad_request(
            ErrorCode::InvalidPath,
            "Identificador no válido en la ruta: los ids de grupo y usuario son números",
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request(
            ErrorCode::InvalidQuery,
            format!(
                "Parámetros de consulta no válidos: {}",
                body_reason(&r.body_text())
            ),
        )
    }
}

/// serde's explanation without axum's English prefix, cut to a sane length.
fn body_reason(text: &str) -> String {
    let reason = text.rsplit_once(": ").map(|(_, r)| r).unwrap_or(text);
    truncate(reason, 200)
}

/// `Json` whose rejections are the envelope.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Path` whose rejections are the envelope.
#[derive(Debug, Clone, Copy, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `Query` whose rejections are the envelope.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The fallback of every unknown route.
pub async fn not_found_route() -> ApiError {
    ApiError::not_found(ErrorCode::RouteNotFound, "Ruta no encontrada")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "Método no permitido en esta ruta",
    )
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

    pub fn upstream_missing() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ElevenlabsNotConfigured,
            "ElevenLabs no está configurado: defina ELEVENLABS_API_KEY",
        )
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
    fn envelope_carries_code_and_retry_after() {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::UpstreamRateLimited,
            "x",
        );
        e.retry_after = Some(7);
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()[header::RETRY_AFTER], "7");
    }

    #[test]
    fn truncates_long_echoes() {
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
