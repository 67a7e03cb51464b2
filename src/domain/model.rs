//! The plain records callboard keeps: users, groups, clients and our own record of every
//! batch we submitted. No I/O here.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::phone::PhoneError;
use super::status::BatchStatus;

pub type UserId = u64;
pub type GroupId = u64;
pub type ClientId = u64;

/// Dynamic variables in the order they are built (the seed's order), all strings.
pub type Variables = IndexMap<String, String>;

/// A supervisor account: acts with one ElevenLabs agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub agent_id: Option<String>,
    /// SHA-256 of the bearer token, hex. The token itself is shown once and never stored.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A group of clients called together ("Médicos Test").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    /// Variables every client of the group shares (`especialidad`, `ciudad`...).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
}

/// One person to call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub group_id: GroupId,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub empresa: Option<String>,
    #[serde(default)]
    pub cargo: Option<String>,
    /// The phone exactly as it was given.
    pub phone: String,
    /// The E.164 form, or why there is none.
    pub phone_e164: Result<String, PhoneError>,
    /// Any other column: becomes a dynamic variable.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// A client before the store gives it an id (from an import or the API).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientDraft {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub empresa: Option<String>,
    #[serde(default)]
    pub cargo: Option<String>,
    pub phone: String,
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

impl ClientDraft {
    /// Later non-empty values win: a duplicate row updates the first one.
    pub fn merge_from(&mut self, other: ClientDraft) {
        if !other.name.trim().is_empty() {
            self.name = other.name;
        }
        for (mine, theirs) in [
            (&mut self.email, other.email),
            (&mut self.empresa, other.empresa),
            (&mut self.cargo, other.cargo),
        ] {
            if theirs.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                *mine = theirs;
            }
        }
        for (k, v) in other.extra {
            if !v.trim().is_empty() {
                self.extra.insert(k, v);
            }
        }
    }
}

/// One recipient as we submitted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmittedRecipient {
    pub client_id: ClientId,
    pub name: String,
    pub phone_number: String,
    pub variables: Variables,
}

/// A client left out of a submission, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedClient {
    pub client_id: ClientId,
    pub name: String,
    pub phone: String,
    /// Spanish, for a supervisor.
    pub reason: String,
    /// Machine-readable: `invalid_phone`, `duplicate_phone`, `missing_variables`...
    pub code: String,
    /// With `missing_variables`: the agent's variables this client lacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Our record of a submitted batch: who started it, for which group, what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRecord {
    pub batch_id: String,
    pub group_id: GroupId,
    pub group_name: String,
    pub user_id: UserId,
    pub agent_id: String,
    pub phone_number_id: String,
    pub call_name: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub scheduled_time_unix: Option<i64>,
    pub recipients: Vec<SubmittedRecipient>,
    #[serde(default)]
    pub skipped: Vec<SkippedClient>,
    /// Last status seen upstream, so lists work without asking ElevenLabs.
    #[serde(default)]
    pub last_status: Option<BatchStatus>,
}

/// One line of a transcript, simplified as in the seed (`{role, message}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLine {
    pub role: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_in_call_secs: Option<u64>,
}

/// What we keep of a finished conversation, so it is fetched from ElevenLabs only once.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationDetails {
    pub conversation_id: String,
    /// Upstream conversation status (`done`, `failed`...).
    pub status: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub duration_secs: Option<u64>,
    #[serde(default)]
    pub transcript: Vec<TranscriptLine>,
    /// `success`, `failure` or `unknown`.
    #[serde(default)]
    pub call_successful: Option<String>,
    #[serde(default)]
    pub termination_reason: Option<String>,
    /// Data collection results: id → value.
    #[serde(default)]
    pub data_collection: BTreeMap<String, serde_json::Value>,
    /// Evaluation criteria: id → `success`/`failure`/`unknown`.
    #[serde(default)]
    pub evaluation: BTreeMap<String, String>,
    #[serde(default)]
    pub cost: Option<f64>,
    #[serde(default)]
    pub has_audio: bool,
    #[serde(default)]
    pub start_time_unix: Option<i64>,
}
