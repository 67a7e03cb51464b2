//! One error for every ElevenLabs failure. It keeps the HTTP status and ElevenLabs' `detail`
//! in whichever of its shapes came back, and knows whether trying again can help. It never
//! holds the API key: requests carry it in a header, and no header is ever copied here.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ElevenLabsError {
    #[error("falta la clave de ElevenLabs (ELEVENLABS_API_KEY) / missing ElevenLabs API key")]
    MissingKey,
    #[error("URL base de ElevenLabs inválida `{0}` / invalid ElevenLabs base URL")]
    InvalidBaseUrl(String),
    #[error("ElevenLabs respondió {status}: {message}")]
    Api {
        status: u16,
        /// `detail.code`, else the legacy `detail.status`.
        code: Option<String>,
        message: String,
        detail: Option<Box<ErrorDetail>>,
        retry_after: Option<Duration>,
    },
    #[error("ElevenLabs no respondió a tiempo / timed out: {0}")]
    Timeout(String),
    #[error("conexión con ElevenLabs fallida / connection failed: {0}")]
    Transport(String),
    #[error("respuesta inesperada de ElevenLabs / unexpected response: {0}")]
    Decode(String),
    #[error("no se pudo preparar el cliente HTTP: {0}")]
    Setup(String),
}

/// `detail` of an error body, in the three shapes ElevenLabs uses (plus plain text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorDetail {
    /// FastAPI validation (422): a list of `{loc, msg, type}`.
    Validation(Vec<ValidationItem>),
    /// `{type, code, message, status, request_id, param}` (current) or
    /// `{status, message}` (legacy).
    Object(ErrorObject),
    Text(String),
    Other(Value),
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ValidationItem {
    #[serde(default)]
    pub loc: Vec<Value>,
    #[serde(default)]
    pub msg: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorObject {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<Value>,
}

#[derive(Deserialize)]
struct ErrorBody {
    detail: Option<ErrorDetail>,
}

/// 429 codes that mean "slow down" (current and legacy spellings).
const RATE_LIMIT_CODES: &[&str] = &[
    "rate_limit_exceeded",
    "concurrent_limit_exceeded",
    "system_busy",
    "too_many_concurrent_requests",
];

impl ElevenLabsError {
    /// Builds the error of a non-2xx answer from its status, body and `Retry-After`.
    pub fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let detail = match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => b.detail,
            Err(_) => {
                let text = String::from_utf8_lossy(body).trim().to_string();
                (!text.is_empty()).then(|| ErrorDetail::Text(truncate(&text, 500)))
            }
        };
        let (code, message) = match &detail {
            Some(ErrorDetail::Validation(items)) => (
                Some("validation_error".to_string()),
                items
                    .iter()
                    .map(|i| {
                        let loc: Vec<String> = i
                            .loc
                            .iter()
                            .map(|l| l.as_str().map(str::to_string).unwrap_or(l.to_string()))
                            .collect();
                        format!("{}: {}", loc.join("."), i.msg)
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Some(ErrorDetail::Object(o)) => (
                o.code.clone().or_else(|| o.status.clone()),
                o.message
                    .clone()
                    .or_else(|| o.status.clone())
                    .unwrap_or_default(),
            ),
            Some(ErrorDetail::Text(t)) => (None, t.clone()),
            Some(ErrorDetail::Other(v)) => (None, truncate(&v.to_string(), 500)),
            None => (None, String::new()),
        };
        let message = if message.is_empty() {
            default_message(status).to_string()
        } else {
            message
        };
        Self::Api {
            status,
            code,
            message,
            detail: detail.map(Box::new),
            retry_after,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn detail(&self) -> Option<&ErrorDetail> {
        match self {
            Self::Api { detail, .. } => detail.as_deref(),
            _ => None,
        }
    }

    /// Trying the same request again may succeed: 408, 429, 5xx, timeouts and broken
    /// connections. Never 400/401/403/404/409/422.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            Self::Timeout(_) | Self::Transport(_) => true,
            _ => false,
        }
    }

    /// 429, or a rate/concurrency code under another status.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429) || self.code().is_some_and(|c| RATE_LIMIT_CODES.contains(&c))
    }

    /// The key is missing, wrong or lacks a permission.
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::MissingKey) || matches!(self.status(), Some(401 | 403))
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The request may have been carried out although no answer came back (timeout,
    /// dropped connection, 5xx): a non-idempotent request must be checked, not repeated.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::Transport(_) => true,
            Self::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        // Without the URL: it is ours anyway, and keeps messages short.
        let (timeout, decode, builder) = (e.is_timeout(), e.is_decode(), e.is_builder());
        let text = e.without_url().to_string();
        if timeout {
            Self::Timeout(text)
        } else if decode {
            Self::Decode(text)
        } else if builder {
            Self::Setup(text)
        } else {
            Self::Transport(text)
        }
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        401 => "clave de API inválida o ausente",
        403 => "permiso denegado",
        404 => "no encontrado",
        422 => "datos inválidos",
        429 => "demasiadas solicitudes",
        s if s >= 500 => "error del servidor",
        _ => "error",
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// `Retry-After` (seconds or HTTP date), `retry-after-ms`, as both official SDKs read them.
pub(crate) fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(delta.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_in_every_form() {
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", "3"), ("retry-after-ms", "250")])),
            Some(Duration::from_millis(250)),
            "the finer header wins"
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let d = parse_retry_after(&headers(&[("retry-after", &later)])).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        let past = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", past)])),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after(&headers(&[("retry-after", "soon")])),
            None
        );
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
    }
}
