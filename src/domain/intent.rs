//! A submission intent: what callboard is about to submit to ElevenLabs, written down
//! durably before the submit so that nobody is ever dialled twice. A crash, a cut
//! connection or a lost answer leaves the intent unsettled; it is then settled by finding
//! its batch upstream (call name, agent, the recipients' phones, created after the intent)
//! before anything else may submit for the group. Pure types: the journal's I/O lives in
//! `crate::journal`, its storage in `crate::store`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{BatchRecord, GroupId, UserId};

/// What the intent submits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentKind {
    /// A supervisor's call start.
    Start,
    /// An automatic retry round of a finished batch.
    Retry,
    /// What a stopped batch never dialled (window close, resume, opt-out replacement).
    Resume,
    /// A supervisor's retry of a finished batch (upstream `/retry` of `parent`): settled
    /// by the batch's `retry_count` having grown past `retry_count_before`.
    Redial,
}

/// Where an intent stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IntentState {
    /// A round callboard schedules itself: submitted when due, after a fresh check of
    /// opt-outs and the calling window.
    Planned,
    /// Written, submit sent or about to be: the batch may or may not exist upstream.
    Pending,
    /// The batch exists upstream and its record is saved.
    Settled { batch_id: String },
    /// Nothing was created upstream (refused, or looked for and not there): nobody dialled.
    Abandoned { reason: String },
}

/// The idempotency key a call start came with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentKey {
    pub scope: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitIntent {
    /// Unique; sortable by creation.
    pub id: String,
    pub kind: IntentKind,
    pub group_id: GroupId,
    pub user_id: UserId,
    pub call_name: String,
    pub agent_id: String,
    /// [`phones_digest`] of the recipients submitted.
    pub phones_digest: String,
    pub phone_count: usize,
    pub created_at: DateTime<Utc>,
    /// Planned rounds: not submitted before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_unix: Option<i64>,
    /// The batch a continuation continues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<IntentKey>,
    /// Time zone name sent with the batch.
    pub timezone: String,
    /// With `Redial`: the batch's `retry_count` before the retry was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_count_before: Option<u32>,
    pub state: IntentState,
    /// The record saved once the batch is found or created (its `batch_id` empty until
    /// then): who, what, for which group, with which policies.
    pub record: BatchRecord,
}

impl SubmitIntent {
    /// Neither settled nor abandoned: something may have been (or may be) submitted.
    pub fn is_open(&self) -> bool {
        matches!(self.state, IntentState::Planned | IntentState::Pending)
    }

    pub fn settled_batch(&self) -> Option<&str> {
        match &self.state {
            IntentState::Settled { batch_id } => Some(batch_id),
            _ => None,
        }
    }

    /// Refreshes the digest after the recipients changed (opt-outs since planning).
    pub fn set_recipients(&mut self, recipients: Vec<super::SubmittedRecipient>) {
        self.phones_digest = phones_digest(recipients.iter().map(|r| r.phone_number.as_str()));
        self.phone_count = recipients.len();
        self.record.recipients = recipients;
    }
}

/// A digest of a set of phone numbers, whatever their order: what recognises an intent's
/// batch among others with the same name (ElevenLabs echoes every recipient's phone).
pub fn phones_digest<'a>(phones: impl IntoIterator<Item = &'a str>) -> String {
    let mut all: Vec<&str> = phones.into_iter().collect();
    all.sort_unstable();
    let mut h = Sha256::new();
    for p in all {
        h.update(p.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// A new intent id: time first, so ids sort by creation; a random tail keeps two intents
/// of the same microsecond apart.
pub fn new_intent_id(now: DateTime<Utc>) -> String {
    format!(
        "int_{:016x}_{:08x}",
        now.timestamp_micros().max(0),
        rand::random::<u32>()
    )
}

/// A fingerprint of a request an idempotency key came with: the same key with another
/// request is refused, never replayed.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ignores_order_and_tells_sets_apart() {
        let a = phones_digest(["+573001", "+573002"]);
        assert_eq!(a, phones_digest(["+573002", "+573001"]));
        assert_ne!(a, phones_digest(["+573001"]));
        assert_ne!(a, phones_digest(["+573001", "+573003"]));
    }

    #[test]
    fn ids_sort_by_time() {
        let t = Utc::now();
        let a = new_intent_id(t);
        let b = new_intent_id(t + chrono::Duration::microseconds(1));
        assert!(a < b, "{a} {b}");
    }

    #[test]
    fn fingerprint_separates_parts() {
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
    }
}
