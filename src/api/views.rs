//! Views the service returns and the TUI shows.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::domain::StopReason;
pub use crate::domain::TranscriptLine;
use crate::domain::policy::RetryPolicy;
use crate::domain::{BatchStatus, GroupId, RecipientStatus, SkippedClient, Variables};

/// The automatic retry policy of a batch and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoRetryView {
    /// Outcomes re-dialled: `failed`, `voicemail`.
    pub outcomes: Vec<RecipientStatus>,
    /// Attempts per recipient in total, the first call included.
    pub max_attempts: u32,
    pub spacing_secs: i64,
    /// Automatic retry rounds asked for so far.
    pub rounds: u32,
    /// When the next automatic round is due (inside the calling window); None = no more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at_unix: Option<i64>,
}

/// Body of `POST /api/groups/:id/call`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartCallRequest {
    pub user_id: Option<u64>,
    pub agent_phone_number_id: Option<String>,
    #[serde(default)]
    pub scheduled_time_unix: Option<i64>,
    /// Dial the recipients that have every variable and skip the others.
    #[serde(default)]
    pub skip_incomplete: bool,
    /// Start even though the group already has an active batch.
    #[serde(default)]
    pub force: bool,
    /// Automatic retries for this batch; None = the service's configured policy. A
    /// `maxAttempts` of 1 turns them off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
}

/// `data` of a successful call start (the seed's shape, plus who was skipped and why).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartCallData {
    pub batch_id: String,
    pub group_id: GroupId,
    pub group_name: String,
    pub agent_id: String,
    pub recipients_count: usize,
    pub call_name: String,
    /// ElevenLabs' answer to the submit, as it came.
    pub batch_data: serde_json::Value,
    #[serde(default)]
    pub skipped: Vec<SkippedClient>,
}

/// One recipient in `GET /api/batch-calls/:id/status` (the seed's enriched shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipientView {
    pub id: String,
    pub phone_number: String,
    pub status: RecipientStatus,
    #[serde(default)]
    pub variables: Variables,
    /// The client's name from our record (also `variables.name` when it was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u64>,
    /// Same as `duration_secs`; the seed's first example calls it this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Vec<TranscriptLine>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
    /// `success`, `failure` or `unknown` from ElevenLabs' analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_successful: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_reason: Option<String>,
    /// Why this recipient could not be enriched yet (it will be tried again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrichment_error: Option<String>,
    #[serde(default)]
    pub updated_at_unix: i64,
    /// Cost of the call in ElevenLabs credits, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Data collection results of the analysis: id → value.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub data_collection: BTreeMap<String, serde_json::Value>,
    /// Calls made to this recipient so far (1 + retries that re-dialled it).
    #[serde(default = "one")]
    pub attempts: u32,
    /// On the do-not-call list (as of the last poll): clients mark the row without
    /// reading the whole list, which only the admin may.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opted_out: bool,
}

impl RecipientView {
    /// Never called in this batch: still queued, or cancelled before its call (what a
    /// resumption resubmits).
    pub fn never_dialled(&self) -> bool {
        self.conversation_id.is_none()
            && (self.status.is_not_started() || self.status == RecipientStatus::Cancelled)
    }
}

fn one() -> u32 {
    1
}

/// `data` of `GET /api/batch-calls/:id/status`, also sent in `status-update` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStatusView {
    pub batch_id: String,
    pub id: String,
    pub name: String,
    pub status: BatchStatus,
    pub agent_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(default)]
    pub created_at_unix: i64,
    #[serde(default)]
    pub scheduled_time_unix: i64,
    #[serde(default)]
    pub last_updated_at_unix: i64,
    #[serde(default)]
    pub retry_count: u32,
    /// Recipients per status; every known status is present, with 0 where none.
    #[serde(default)]
    pub counts: BTreeMap<String, usize>,
    #[serde(default)]
    pub total_recipients: usize,
    pub recipients: Vec<RecipientView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_retry: Option<AutoRetryView>,
    /// The batch that took over this one's undialled recipients at the next opening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_by: Option<String>,
    /// The batch this one continues (stopped at a window's close).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continues: Option<String>,
    /// A continuation waiting in the journal for its time (an automatic retry round, the
    /// undialled after a window's close): submitted then, without anyone who opted out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<PlannedRoundView>,
}

/// See [`BatchStatusView::planned`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedRoundView {
    pub kind: crate::domain::FollowUpKind,
    pub due_unix: i64,
    pub recipients: usize,
}

impl BatchStatusView {
    /// Counts per status for `recipients`, with every known status present.
    pub fn count(recipients: &[RecipientView]) -> BTreeMap<String, usize> {
        let mut counts: BTreeMap<String, usize> = RecipientStatus::KNOWN
            .iter()
            .map(|s| (s.as_str().to_string(), 0))
            .collect();
        for r in recipients {
            *counts.entry(r.status.as_str().to_string()).or_default() += 1;
        }
        counts
    }
}

/// One item of `GET /api/batch-calls` (the seed's shape plus our group link).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchListItem {
    pub batch_id: String,
    pub call_name: String,
    pub status: BatchStatus,
    /// RFC 3339.
    pub created_at: String,
    pub recipients_count: usize,
    #[serde(default)]
    pub finished_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(default)]
    pub agent_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_by: Option<String>,
}

/// `data` of `POST /api/batch-calls/:id/retry`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryData {
    pub batch_id: String,
    pub retried_count: usize,
    /// Always `retrying`.
    pub status: String,
}

/// `data` of `POST /api/batch-calls/:id/resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeData {
    pub batch_id: String,
    /// The new batch with the recipients the stopped one never dialled.
    pub new_batch_id: String,
    pub recipients_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_time_unix: Option<i64>,
}

/// `data` of `POST /api/batch-calls/:id/cancel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelData {
    pub batch_id: String,
    /// Always `cancelled`.
    pub status: String,
    pub cancelled_count: usize,
}

/// The last batch of a group, for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastBatch {
    pub batch_id: String,
    pub status: BatchStatus,
    pub created_at: String,
}

/// One item of `GET /api/groups`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    pub id: GroupId,
    pub name: String,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    pub clients_count: usize,
    pub valid_phones: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_batch: Option<LastBatch>,
    /// The user the group, its clients and its batches belong to (None: the admin's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<crate::domain::UserId>,
    /// The group's own agent (None: the acting user's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The group's own caller number (None: the call start names one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_phone_number_id: Option<String>,
    /// The country its clients' phones are read in (ISO code: the group's, else the
    /// service's region). Empty from a service older than per-group countries.
    #[serde(default)]
    pub country: String,
    /// What prepare-agent sets as the agent's first message and language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A client as `GET /api/groups/:id` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientView {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub empresa: Option<String>,
    #[serde(default)]
    pub cargo: Option<String>,
    /// As given.
    pub phone: String,
    /// E.164, when valid.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Why the phone cannot be dialled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_error: Option<String>,
    #[serde(default)]
    pub variables: Variables,
}

/// `data` of `GET /api/groups/:id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDetail {
    #[serde(flatten)]
    pub summary: GroupSummary,
    pub clients: Vec<ClientView>,
}

/// One item of `GET /api/phone-numbers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumberView {
    pub phone_number_id: String,
    pub phone_number: String,
    pub label: String,
    pub provider: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_agent_id: Option<String>,
}
