//! The plain records callboard keeps: users, groups, clients and our own record of every
//! batch we submitted. No I/O here.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::phone::PhoneError;
use super::policy::RetryPolicy;
use super::status::BatchStatus;

pub type UserId = u64;
pub type GroupId = u64;
pub type ClientId = u64;

/// The largest id the store hands out: the largest integer a browser's JSON parser keeps
/// exact (2^53 − 1). Counters stop there with an error instead of wrapping.
pub const MAX_ID: u64 = (1 << 53) - 1;

/// The largest id an administrator may choose for a user or a group; the rest of the
/// range stays for generated ids, so an explicit id can never exhaust the counter.
pub const MAX_EXPLICIT_ID: u64 = 1_000_000_000;

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
    /// When the token stops being accepted; None = until rotated or revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<DateTime<Utc>>,
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
    /// The user the group, its clients and its batches belong to. None (groups from
    /// `callboard import` without `--owner`, or older stores): only the admin sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// Numbers of other countries are dialled too; by default a group's numbers are
    /// dialled only in the service's region.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_countries: bool,
    /// Its own agent, caller number, country, first message and language (stored
    /// alongside the fields above; groups stored before them have none).
    #[serde(flatten, default)]
    pub setup: super::group_setup::GroupSetup,
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
    /// Calls made to this person by the batches this one continues (a retry round or a
    /// resubmission after a window's close); 0 in a first batch.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub prior_attempts: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Why a batch stopped before its end: `circuit_breaker` (too many failed or very short
/// calls) or `window_closed` (the calling window closed; the undialled recipients were
/// resubmitted for the next opening, see `BatchRecord::continued_by`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopReason {
    pub code: super::StopCode,
    /// Spanish, for the supervisor.
    pub message: String,
    pub at_unix: i64,
    /// Asked for but not yet confirmed by ElevenLabs ("stopping"): the cancel is being
    /// retried until it is confirmed or the batch ends.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

impl StopReason {
    /// After this stop callboard resubmits the undialled recipients itself (at the next
    /// opening, or without the opted-out numbers).
    pub fn resubmits_undialled(&self) -> bool {
        matches!(
            self.code,
            super::StopCode::WindowClosed | super::StopCode::OptOut
        )
    }
}

/// Why a batch continues another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// An automatic retry round of the recipients the policy re-dials.
    Retry,
    /// The recipients a window's close left undialled, at the next opening.
    Resume,
}

/// What a finished batch did, in the few numbers an estimate needs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// Calls that ended: completed, voicemail or failed.
    pub finished: usize,
    /// Answered by a person.
    pub completed: usize,
    /// Average length of an answered call.
    #[serde(default)]
    pub avg_duration_secs: Option<f64>,
    /// Sum of the known costs of answered calls, and how many calls it covers.
    #[serde(default)]
    pub cost_total: Option<f64>,
    #[serde(default)]
    pub cost_known_for: usize,
}

/// The batch that continues another, as the first one records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpLink {
    pub batch_id: String,
    pub kind: FollowUpKind,
    /// When it dials (None = at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_time_unix: Option<i64>,
    pub recipients: usize,
}

/// A continuation being submitted: written before the submit so that a crash in between
/// is followed by a lookup (by this unique call name), never by a second submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingFollowUp {
    pub kind: FollowUpKind,
    pub call_name: String,
    pub since_unix: i64,
    /// The journal's intent for it (see `crate::domain::intent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent_id: Option<String>,
    /// A planned round: submitted then, after a fresh check of opt-outs and the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_unix: Option<i64>,
    #[serde(default)]
    pub recipients: usize,
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
    /// Automatic retries of this batch's outcomes; None or one attempt = off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    /// Phone → the conversation each upstream `/retry` (manual retry) found it with, one
    /// per round that covered it ("" when it had none). A round counts as a call made
    /// only once the recipient shows a different conversation, so an upstream retry
    /// that skips someone does not inflate their attempts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub retried: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<StopReason>,
    /// This batch took over from that one (its automatic retry round, or its undialled
    /// recipients after a window's close).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continues: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_kind: Option<FollowUpKind>,
    /// Automatic retry rounds behind this batch (0 for a first batch).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retry_round: u32,
    /// The batch that took over from this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_by: Option<FollowUpLink>,
    /// A continuation being submitted (see [`PendingFollowUp`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_follow_up: Option<PendingFollowUp>,
    /// How the batch went, saved when it ended: past batches feed the pre-flight estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<BatchOutcome>,
    /// The policies were applied to the final state: nothing more to do for this batch.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow_up_done: bool,
    /// Final by our reading: every recipient ended and every answered call enriched (an
    /// upstream `cancelled` with calls still live is not final yet).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
    /// The journal intent this batch settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent_id: Option<String>,
    /// Phone (E.164) → when its answered call ended (unix seconds), saved with the
    /// outcome: the weekly contact limit of rule packs counts these. Not in the batch's
    /// head, so lists never read it. Empty in records saved before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reached: BTreeMap<String, i64>,
}

impl BatchRecord {
    /// Whether the poller still has policy work once the batch is final: a continuation
    /// to submit (or to find after a crash).
    pub fn follow_up_open(&self) -> bool {
        !self.follow_up_done && self.continued_by.is_none()
    }

    /// Finished for good: older records, written before `done` existed, count as finished
    /// once their outcome was saved.
    pub fn is_done(&self) -> bool {
        self.done || self.outcome.is_some()
    }
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
