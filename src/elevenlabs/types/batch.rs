//! Batch-calling wire types (`/v1/convai/batch-calling/*`). Lenient on input: every field
//! but the ids has a default, unknown fields are ignored, `null` is accepted wherever the
//! schema allows it. Serialised with explicit `null`s, as upstream does, so the simulator
//! can answer with the same types.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{null_default, unknown_batch_status, unknown_recipient_status};
use super::enums::TelephonyProvider;
use crate::domain::{BatchStatus, RecipientStatus};

/// Body of `POST /v1/convai/batch-calling/submit`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SubmitBatchRequest {
    pub call_name: String,
    pub agent_id: String,
    #[serde(default)]
    pub agent_phone_number_id: Option<String>,
    #[serde(default)]
    pub scheduled_time_unix: Option<i64>,
    pub recipients: Vec<OutboundCallRecipient>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_concurrency_limit: Option<u32>,
}

/// One recipient of a submit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OutboundCallRecipient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_initiation_client_data: Option<ConversationInitiationClientData>,
}

/// Per-call personalisation: dynamic variables, user id and (rarely) overrides. What the
/// server echoes back carries more keys; they are kept in `extra`, unchanged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationInitiationClientData {
    #[serde(default, deserialize_with = "null_default")]
    pub dynamic_variables: IndexMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_config_override: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_llm_extra_body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_info: Option<Value>,
    #[serde(flatten, default)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TelephonyCallConfig {
    #[serde(default = "default_ringing_timeout")]
    pub ringing_timeout_secs: u32,
    #[serde(default)]
    pub twilio_call_recording_enabled: bool,
}

fn default_ringing_timeout() -> u32 {
    60
}

impl Default for TelephonyCallConfig {
    fn default() -> Self {
        Self {
            ringing_timeout_secs: default_ringing_timeout(),
            twilio_call_recording_enabled: false,
        }
    }
}

/// `BatchCallResponse`: submit, cancel, retry and list items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCallResponse {
    pub id: String,
    #[serde(default)]
    pub phone_number_id: Option<String>,
    #[serde(default)]
    pub phone_provider: Option<TelephonyProvider>,
    /// Late 2025 servers briefly sent `whatsapp_business_account_id` instead.
    #[serde(default, alias = "whatsapp_business_account_id")]
    pub whatsapp_params: Option<Value>,
    #[serde(default, alias = "call_name")]
    pub name: String,
    #[serde(default)]
    pub agent_id: String,
    #[serde(default)]
    pub branch_id: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub created_at_unix: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub scheduled_time_unix: i64,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub total_calls_dispatched: u64,
    #[serde(default, deserialize_with = "null_default")]
    pub total_calls_scheduled: u64,
    #[serde(default, deserialize_with = "null_default")]
    pub total_calls_finished: u64,
    #[serde(default, deserialize_with = "null_default")]
    pub last_updated_at_unix: i64,
    #[serde(default = "unknown_batch_status")]
    pub status: BatchStatus,
    #[serde(default, deserialize_with = "null_default")]
    pub retry_count: u32,
    /// Absent before 2026-03; the server's default then applies.
    #[serde(default, deserialize_with = "null_default")]
    pub telephony_call_config: TelephonyCallConfig,
    #[serde(default)]
    pub target_concurrency_limit: Option<u32>,
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub branch_name: Option<String>,
    /// Fields this version does not know, kept as they came (the call start answers
    /// ElevenLabs' JSON whole, as `batchData`).
    #[serde(flatten, default)]
    pub extra: serde_json::Map<String, Value>,
}

/// `GET /v1/convai/batch-calling/{id}`: the batch and every recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCallDetailedResponse {
    #[serde(flatten)]
    pub batch: BatchCallResponse,
    #[serde(default, deserialize_with = "null_default")]
    pub recipients: Vec<BatchRecipientResponse>,
}

/// `OutboundCallRecipientResponseModel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRecipientResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default = "unknown_recipient_status")]
    pub status: RecipientStatus,
    #[serde(default, deserialize_with = "null_default")]
    pub created_at_unix: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at_unix: i64,
    #[serde(default)]
    pub conversation_id: Option<String>,
    #[serde(default)]
    pub conversation_initiation_client_data: Option<ConversationInitiationClientData>,
}

/// A recipient read without its echoed `conversation_initiation_client_data`: parsing that
/// echo (nested objects, one allocation per key) is most of the cost of a big batch.
#[derive(Deserialize)]
struct RecipientStatusOnly {
    #[serde(default)]
    id: String,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default = "unknown_recipient_status")]
    status: RecipientStatus,
    #[serde(default, deserialize_with = "null_default")]
    created_at_unix: i64,
    #[serde(default, deserialize_with = "null_default")]
    updated_at_unix: i64,
    #[serde(default)]
    conversation_id: Option<String>,
}

/// `BatchCallDetailedResponse` for pollers that keep the submitted variables themselves:
/// every recipient's `conversation_initiation_client_data` is skipped (left `None`).
#[derive(Deserialize)]
pub struct BatchStatusOnly {
    #[serde(flatten)]
    batch: BatchCallResponse,
    #[serde(default, deserialize_with = "null_default")]
    recipients: Vec<RecipientStatusOnly>,
}

impl From<BatchStatusOnly> for BatchCallDetailedResponse {
    fn from(v: BatchStatusOnly) -> Self {
        Self {
            batch: v.batch,
            recipients: v
                .recipients
                .into_iter()
                .map(|r| BatchRecipientResponse {
                    id: r.id,
                    phone_number: r.phone_number,
                    status: r.status,
                    created_at_unix: r.created_at_unix,
                    updated_at_unix: r.updated_at_unix,
                    conversation_id: r.conversation_id,
                    conversation_initiation_client_data: None,
                })
                .collect(),
        }
    }
}

/// `GET /v1/convai/batch-calling/workspace`: one page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WorkspaceBatchCallsResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub batch_calls: Vec<BatchCallResponse>,
    #[serde(default)]
    pub next_doc: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub has_more: bool,
}

impl BatchRecipientResponse {
    /// The recipient's dynamic variables as strings (numbers and booleans written out).
    pub fn variables(&self) -> crate::domain::Variables {
        let mut out = crate::domain::Variables::new();
        if let Some(data) = &self.conversation_initiation_client_data {
            for (k, v) in &data.dynamic_variables {
                let s = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => continue,
                    other => other.to_string(),
                };
                out.insert(k.clone(), s);
            }
        }
        out
    }
}
