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
pub use crate::api::error::{ApiError, check_batch_id, truncate};
pub use crate::campaign::hub_error;

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
}
