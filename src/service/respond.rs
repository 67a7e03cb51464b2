//! Successful answers in the seed's envelope `{ success: true, message, data }`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::Envelope;

/// `200` with the envelope.
pub struct Ok200<T>(pub Envelope<T>);

impl<T> Ok200<T> {
    pub fn new(message: impl Into<String>, data: T) -> Self {
        Self(Envelope::ok(message, data))
    }
}

impl<T: Serialize> IntoResponse for Ok200<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// `201` with the envelope.
pub fn created<T: Serialize>(message: impl Into<String>, data: T) -> impl IntoResponse {
    (StatusCode::CREATED, Ok200::new(message, data))
}

/// A body serialised once and sent many times (cached status snapshots).
pub fn raw_json(bytes: axum::body::Bytes) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}
