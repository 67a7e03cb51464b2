//! Reading the service's envelope (`{ success, message, data }` or `{ success: false,
//! message, code, details }`) into the data or a [`Failure`].

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::api::Envelope;
use crate::domain::Lang;

use super::error::{Failure, Outcome};

/// Read an envelope: `data` on success, the service's message and code otherwise.
pub fn decode<T: DeserializeOwned>(status: StatusCode, body: &[u8], lang: Lang) -> Outcome<T> {
    decode_with_message(status, body, lang).map(|(_, data)| data)
}

/// [`decode`], keeping the success message too.
pub fn decode_with_message<T: DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
    lang: Lang,
) -> Outcome<(String, T)> {
    let code = Some(status.as_u16());
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(env) if env.success && status.is_success() => {
            let message = env.message;
            env.data.map(|d| (message, d)).ok_or_else(|| Failure {
                status: code,
                code: None,
                message: match lang {
                    Lang::Es => "El servicio respondió sin datos".into(),
                    Lang::En => "The service answered without data".into(),
                },
                details: None,
            })
        }
        Ok(env) => Err(Failure {
            status: code,
            code: env.code,
            message: env.message,
            details: env.details,
        }),
        Err(e) => {
            // A failure envelope has no `data`, so a typed parse can fail on it: try the
            // untyped shape before calling the answer unreadable.
            if let Ok(env) = serde_json::from_slice::<Envelope<serde_json::Value>>(body)
                && !env.success
            {
                return Err(Failure {
                    status: code,
                    code: env.code,
                    message: env.message,
                    details: env.details,
                });
            }
            Err(Failure {
                status: code,
                code: None,
                message: match lang {
                    Lang::Es => format!("Respuesta inesperada del servicio (HTTP {status}): {e}"),
                    Lang::En => format!("Unexpected answer from the service (HTTP {status}): {e}"),
                },
                details: None,
            })
        }
    }
}
