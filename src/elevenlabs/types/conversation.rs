//! Conversation wire types (`GET /v1/convai/conversations/{id}`) and their one mapping into
//! the domain's `ConversationDetails`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::batch::ConversationInitiationClientData;
use super::de::null_default;
use super::enums::{CallSuccessful, ConversationStatus};
use crate::domain::{ConversationDetails, TranscriptLine};

/// `GetConversationResponseModel`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationResponse {
    #[serde(default)]
    pub agent_id: String,
    #[serde(default)]
    pub agent_name: Option<String>,
    pub conversation_id: String,
    #[serde(default)]
    pub status: ConversationStatus,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub branch_id: Option<String>,
    #[serde(default)]
    pub version_id: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub transcript: Vec<TranscriptItem>,
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: ConversationMetadata,
    #[serde(default)]
    pub analysis: Option<ConversationAnalysis>,
    #[serde(default)]
    pub conversation_initiation_client_data: Option<ConversationInitiationClientData>,
    #[serde(default, deserialize_with = "null_default")]
    pub has_audio: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub has_user_audio: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub has_response_audio: bool,
    /// Required since 2026; absent on older servers.
    #[serde(default, deserialize_with = "null_default")]
    pub has_auxiliary_audio: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub tag_ids: Vec<String>,
}

/// One turn of a transcript.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TranscriptItem {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub time_in_call_secs: i64,
    /// Older payloads send `null` here.
    #[serde(default, deserialize_with = "null_default")]
    pub tool_calls: Vec<Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub tool_results: Vec<Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub interrupted: bool,
    #[serde(default)]
    pub source_medium: Option<String>,
}

/// `ConversationHistoryMetadataCommonModel`, the fields we use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationMetadata {
    #[serde(default, deserialize_with = "null_default")]
    pub start_time_unix_secs: i64,
    #[serde(default)]
    pub accepted_time_unix_secs: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub call_duration_secs: i64,
    /// Credits (an integer upstream; read as a number to be safe).
    #[serde(default)]
    pub cost: Option<f64>,
    #[serde(default, deserialize_with = "null_default")]
    pub termination_reason: String,
    #[serde(default)]
    pub error: Option<ConversationError>,
    #[serde(default, deserialize_with = "null_default")]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub main_language: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub conversation_initiation_source: Option<String>,
    /// Discriminated by `type` (`twilio`, `sip_trunking`, `exotel`); kept as JSON.
    #[serde(default)]
    pub phone_call: Option<Value>,
    #[serde(default)]
    pub batch_call: Option<BatchCallRef>,
    #[serde(default)]
    pub cost_fiat: Option<f64>,
}

/// `metadata.error`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationError {
    #[serde(default, deserialize_with = "null_default")]
    pub code: i64,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `metadata.batch_call`: the way back from a conversation to its batch recipient.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchCallRef {
    #[serde(default)]
    pub batch_call_id: String,
    #[serde(default)]
    pub batch_call_recipient_id: String,
}

/// `ConversationHistoryAnalysisCommonModel`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationAnalysis {
    #[serde(default)]
    pub call_successful: CallSuccessful,
    #[serde(default, deserialize_with = "null_default")]
    pub transcript_summary: String,
    #[serde(default)]
    pub call_summary_title: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub evaluation_criteria_results: IndexMap<String, EvaluationResult>,
    #[serde(default, deserialize_with = "null_default")]
    pub data_collection_results: IndexMap<String, DataCollectionResult>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EvaluationResult {
    #[serde(default)]
    pub criteria_id: String,
    #[serde(default)]
    pub result: CallSuccessful,
    #[serde(default, deserialize_with = "null_default")]
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DataCollectionResult {
    #[serde(default)]
    pub data_collection_id: String,
    #[serde(default)]
    pub value: Value,
    #[serde(default)]
    pub json_schema: Option<Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub rationale: String,
}

impl ConversationResponse {
    /// What callboard keeps of a conversation (the seed's simplified shape).
    pub fn to_details(&self) -> ConversationDetails {
        let m = &self.metadata;
        let analysis = self.analysis.as_ref();
        let termination = if !m.termination_reason.is_empty() {
            Some(m.termination_reason.clone())
        } else {
            m.error.as_ref().and_then(|e| e.reason.clone())
        };
        ConversationDetails {
            conversation_id: self.conversation_id.clone(),
            status: self.status.as_str().to_string(),
            summary: analysis
                .map(|a| a.transcript_summary.clone())
                .filter(|s| !s.is_empty()),
            duration_secs: u64::try_from(m.call_duration_secs).ok(),
            transcript: self
                .transcript
                .iter()
                .filter_map(|t| {
                    t.message.as_ref().map(|msg| TranscriptLine {
                        role: t.role.clone(),
                        message: msg.clone(),
                        time_in_call_secs: u64::try_from(t.time_in_call_secs).ok(),
                    })
                })
                .collect(),
            call_successful: analysis.map(|a| a.call_successful.as_str().to_string()),
            termination_reason: termination,
            data_collection: analysis
                .map(|a| {
                    a.data_collection_results
                        .iter()
                        .map(|(k, v)| (k.clone(), v.value.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            evaluation: analysis
                .map(|a| {
                    a.evaluation_criteria_results
                        .iter()
                        .map(|(k, v)| (k.clone(), v.result.as_str().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            cost: m.cost_fiat.or(m.cost),
            has_audio: self.has_audio,
            start_time_unix: Some(m.start_time_unix_secs).filter(|t| *t > 0),
        }
    }
}
