//! Bounds on what one request may cost: the size of a CSV body (JSON bodies have their
//! own, smaller limit, set on the router), the scheduled time of a call start, and the
//! pages that list routes read instead of everything.

use crate::api::ErrorCode;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use serde::Deserialize;

use super::error::{ApiError, from_bytes_status};
use super::state::AppState;

/// Reads a CSV body up to `service.body_limit_bytes` (a JSON body is held to the much
/// smaller `json_body_limit_bytes` by the router).
pub async fn read_csv_body(st: &AppState, body: Body) -> Result<Bytes, ApiError> {
    use futures::StreamExt;
    let limit = st.cfg().service.body_limit_bytes;
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| from_bytes_status(StatusCode::BAD_REQUEST))?;
        if buf.len() + chunk.len() > limit {
            return Err(from_bytes_status(StatusCode::PAYLOAD_TOO_LARGE));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.into())
}

/// `?limit=&cursor=` of a list route.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where the previous page ended (its `nextCursor`).
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Entries a page holds when the caller does not say.
pub const DEFAULT_PAGE: usize = 100;
/// The most a page may hold.
pub const MAX_PAGE: usize = 1000;

impl PageQuery {
    /// The page size asked for, within 1..=MAX_PAGE.
    pub fn size(&self) -> Result<usize, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_PAGE),
            Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::bad_request(
                ErrorCode::InvalidLimit,
                format!("limit debe estar entre 1 y {MAX_PAGE}"),
            )),
        }
    }

    /// The cursor, checked for length and characters (it is echoed and used as a key).
    pub fn cursor(&self) -> Result<Option<&str>, ApiError> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c)
                if c.len() <= 200
                    && c.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b)) =>
            {
                Ok(Some(c))
            }
            Some(_) => Err(ApiError::bad_request(
                ErrorCode::InvalidCursor,
                "cursor no válido: use el nextCursor de la página anterior",
            )),
        }
    }
}

/// A name or label typed by a person (group, user, client): not blank, at most `max`
/// characters, no control characters (they break logs, CSV exports and terminals).
pub fn check_label(value: &str, field: &str, max: usize) -> Result<(), ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidText,
            format!("{field}: no puede estar vacío"),
        ));
    }
    if v.chars().count() > max {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidText,
            format!("{field}: máximo {max} caracteres"),
        ));
    }
    if v.chars().any(is_hidden_control) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidText,
            format!("{field}: contiene caracteres de control"),
        ));
    }
    Ok(())
}

/// Control characters and the invisible ones that reorder text (a name that reads one
/// way and is stored another).
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}
