//! Answers in ElevenLabs' shapes: JSON bodies with explicit `null`s, and errors with a
//! `detail` object (`type`, `code`, `message`, legacy `status`, `request_id`, `param`) or
//! FastAPI's validation list for 422.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Value, json};

/// JSON bytes already serialised (the cached batch views).
pub fn raw_json(bytes: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

pub fn json_ok<T: Serialize>(v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => raw_json(Bytes::from(b)),
        Err(e) => error(500, "internal_error", "internal_error", &e.to_string()),
    }
}

/// An error in the current documented object shape.
pub fn error(status: u16, kind: &str, code: &str, message: &str) -> Response {
    let body = json!({
        "detail": {
            "type": kind,
            "code": code,
            "message": message,
            "status": code,
            "request_id": format!("{:032x}", rand::random::<u128>()),
            "param": null
        }
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

pub fn not_found(code: &str, message: &str) -> Response {
    error(404, "not_found", code, message)
}

pub fn conflict(code: &str, message: &str) -> Response {
    error(409, "conflict", code, message)
}

/// One FastAPI validation item.
pub fn invalid_item(kind: &str, loc: &[Value], msg: &str, input: Value) -> Value {
    json!({ "type": kind, "loc": loc, "msg": msg, "input": input })
}

/// 422 with FastAPI's list shape.
pub fn unprocessable(items: Vec<Value>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({ "detail": items })),
    )
        .into_response()
}
