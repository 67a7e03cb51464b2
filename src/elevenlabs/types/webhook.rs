//! Post-call webhook wire types: the envelope every delivery shares, the
//! `call_initiation_failure` data, and the workspace webhook endpoints
//! (`POST /v1/workspace/webhooks`, `PATCH /v1/convai/settings`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::null_default;

/// `post_call_transcription`: `data` is the conversation as `GET /v1/convai/conversations/{id}`
/// returns it.
pub const EVENT_TRANSCRIPTION: &str = "post_call_transcription";
/// `post_call_audio`: `data` holds the whole call as base64 MP3 (large).
pub const EVENT_AUDIO: &str = "post_call_audio";
/// `call_initiation_failure`: the call never connected (busy, no answer, …).
pub const EVENT_INITIATION_FAILURE: &str = "call_initiation_failure";

/// Every delivery: `{"type", "event_timestamp", "data"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WebhookEnvelope {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub event_timestamp: i64,
    #[serde(default)]
    pub data: Value,
}

/// `call_initiation_failure`'s `data`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CallInitiationFailure {
    #[serde(default)]
    pub agent_id: String,
    #[serde(default)]
    pub conversation_id: String,
    /// `busy`, `no-answer`, `unknown` (open set).
    #[serde(default, deserialize_with = "null_default")]
    pub failure_reason: String,
    /// `{type: "twilio", body: {To, CallStatus, …}}` or `{type: "sip", body: {to_number,
    /// sip_status_code, error_reason, …}}`.
    #[serde(default)]
    pub metadata: Option<Value>,
}

impl CallInitiationFailure {
    /// The number that was dialled, from either provider's body.
    pub fn to_number(&self) -> Option<String> {
        let body = self.metadata.as_ref()?.get("body")?;
        body.get("to_number")
            .or_else(|| body.get("To"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The provider's own words, when there are any (`error_reason`, `CallStatus`).
    pub fn detail(&self) -> Option<String> {
        let body = self.metadata.as_ref()?.get("body")?;
        body.get("error_reason")
            .or_else(|| body.get("CallStatus"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// `POST /v1/workspace/webhooks` body: `{"settings": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateWebhookRequest {
    pub settings: WebhookHmacSettings,
}

/// `WebhookHmacSettings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookHmacSettings {
    /// Always `hmac`.
    pub auth_type: String,
    pub name: String,
    pub webhook_url: String,
    #[serde(default)]
    pub request_headers: Option<Value>,
}

/// `WorkspaceCreateWebhookResponseModel`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateWebhookResponse {
    pub webhook_id: String,
    #[serde(default)]
    pub webhook_secret: Option<String>,
}

/// The post-call events a workspace webhook is attached for (`PATCH /v1/convai/settings`):
/// the transcript and the initiation failures; never the audio (callboard fetches audio on
/// demand, and its deliveries are large).
pub const POST_CALL_EVENTS: &[&str] = &["transcript", "call_initiation_failure"];
