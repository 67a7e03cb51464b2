//! The service's JSON contract: the seed's envelope and views. `callboard serve` writes
//! these and `callboard tui` reads them, so both sides share one definition. Field names
//! follow the seed: snake_case in batch status and lists, camelCase in the call-start
//! response and in request bodies.

pub mod error;
pub mod error_code;
pub mod events;
pub mod optouts;
pub mod rules;
pub mod views;

pub use error::{ApiError, check_batch_id, truncate};
pub use error_code::ErrorCode;
pub use events::*;
pub use optouts::{OptOutImport, OptOutView};
pub use rules::RulesView;
pub use views::*;

use serde::{Deserialize, Serialize};

/// `{ success, message, data }`, and on failure `{ success: false, message, code, details }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub success: bool,
    pub message: String,
    /// Machine-readable error code (failures only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    /// Extra facts about a failure (missing variables per recipient, active batch id...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Envelope<T> {
    pub fn ok(message: impl Into<String>, data: T) -> Self {
        Self {
            success: true,
            message: message.into(),
            code: None,
            data: Some(data),
            details: None,
        }
    }
}

impl Envelope<()> {
    pub fn error(message: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            success: false,
            message: message.into(),
            code: Some(code.into()),
            data: None,
            details: None,
        }
    }
}
