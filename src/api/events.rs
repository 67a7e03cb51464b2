//! Payloads of the SSE stream `GET /api/batch-calls/:id/status/stream`, exactly as the
//! seed names them: `connected`, `status-update`, `batch-completed`, `error`, `timeout`.

use serde::{Deserialize, Serialize};

use super::views::BatchStatusView;

pub const EVENT_CONNECTED: &str = "connected";
pub const EVENT_STATUS_UPDATE: &str = "status-update";
pub const EVENT_BATCH_COMPLETED: &str = "batch-completed";
pub const EVENT_ERROR: &str = "error";
pub const EVENT_TIMEOUT: &str = "timeout";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedEvent {
    pub message: String,
    pub batch_id: String,
    /// RFC 3339 with milliseconds, UTC.
    pub timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdateEvent {
    pub success: bool,
    pub data: BatchStatusView,
    pub timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchCompletedEvent {
    pub message: String,
    pub final_status: String,
    pub data: BatchStatusView,
    pub timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    pub message: String,
    pub code: String,
    pub timestamp: String,
    /// Delta viewers only: true when the stream ends here for good (the batch is gone),
    /// so a client must not reconnect. The seed's full events never carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fatal: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeoutEvent {
    pub message: String,
    pub timestamp: String,
}

/// Now, as the seed writes timestamps (`2025-08-24T10:30:00.000Z`).
pub fn timestamp_now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
