//! Our records of submitted batches.

use super::{Result, Store, encode, get, values};
use crate::domain::preflight::Reached;
use crate::domain::{BatchOutcome, BatchRecord, BatchStatus, GroupId};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The head of a [`BatchRecord`]: everything but the recipients and the skipped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchHead {
    pub batch_id: String,
    pub group_id: GroupId,
    pub agent_id: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub last_status: Option<BatchStatus>,
    #[serde(default)]
    pub outcome: Option<BatchOutcome>,
    /// The batch this one continues.
    #[serde(default)]
    pub continues: Option<String>,
    #[serde(default)]
    pub follow_up_kind: Option<crate::domain::FollowUpKind>,
    #[serde(default)]
    pub scheduled_time_unix: Option<i64>,
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub stop_reason: Option<crate::domain::StopReason>,
    #[serde(default)]
    pub follow_up_done: bool,
    #[serde(default)]
    pub continued_by: Option<crate::domain::FollowUpLink>,
    #[serde(default)]
    pub pending_follow_up: Option<crate::domain::PendingFollowUp>,
    #[serde(default)]
    pub retry_policy: Option<serde::de::IgnoredAny>,
}

impl BatchHead {
    /// Policy work left once the batch is final: a continuation to submit (or to find
    /// after a crash); planned rounds wait in the journal instead.
    pub fn policy_pending(&self) -> bool {
        let open = !self.follow_up_done && self.continued_by.is_none();
        let planned = self
            .pending_follow_up
            .as_ref()
            .is_some_and(|p| p.due_unix.is_some());
        open && !planned
            && (self.pending_follow_up.is_some()
                || self.retry_policy.is_some()
                || self
                    .stop_reason
                    .as_ref()
                    .is_some_and(crate::domain::StopReason::resubmits_undialled))
    }

    /// See [`BatchRecord::is_done`].
    pub fn is_done(&self) -> bool {
        self.done || self.outcome.is_some()
    }

    /// Whether the batch may have answered calls at or after `since`: finished, answered
    /// someone, and started at most [`REACHED_MARGIN_DAYS`] before `since` (the records
    /// `reached_since` reads whole, in either engine).
    pub fn may_have_reached(&self, since: DateTime<Utc>) -> bool {
        let earliest = since - chrono::Duration::days(REACHED_MARGIN_DAYS);
        let started = self
            .scheduled_time_unix
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .map_or(self.created_at, |t| t.max(self.created_at));
        let answered_someone = self.outcome.as_ref().is_some_and(|o| o.completed > 0);
        self.is_done() && answered_someone && started >= earliest
    }
}

impl Store {
    /// Saves (or replaces) a batch record, durably.
    pub fn put_batch(&self, record: &BatchRecord) -> Result<()> {
        self.batches
            .insert(record.batch_id.as_bytes(), encode(record)?)?;
        self.batch_times
            .insert(time_key(record.created_at, &record.batch_id), &[])?;
        self.flush()
    }

    pub fn batch(&self, batch_id: &str) -> Result<Option<BatchRecord>> {
        get(&self.batches, batch_id.as_bytes())
    }

    /// Ids of every batch we hold a record of (keys only: cheap).
    pub fn batch_ids(&self) -> Result<std::collections::HashSet<String>> {
        self.batches
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    /// What lists and estimates need of every batch, newest first, without reading the
    /// recipient lists (a 1,000-recipient record is skipped over, not built).
    pub fn batch_heads(&self) -> Result<Vec<BatchHead>> {
        let mut all: Vec<BatchHead> = values(self.batches.iter())?;
        all.sort_by_key(|b| std::cmp::Reverse(b.created_at));
        Ok(all)
    }

    /// Every batch we submitted, newest first.
    pub fn batches(&self) -> Result<Vec<BatchRecord>> {
        let mut all: Vec<BatchRecord> = values(self.batches.iter())?;
        all.sort_by_key(|b| std::cmp::Reverse(b.created_at));
        Ok(all)
    }

    /// Heads of one group's batches, newest first (enough for its last batch and for
    /// whether one is still running).
    pub fn batches_of_group(&self, group: GroupId) -> Result<Vec<BatchHead>> {
        let mut v = self.batch_heads()?;
        v.retain(|b| b.group_id == group);
        Ok(v)
    }

    /// Records the last status seen upstream (no flush: it is re-read from upstream anyway).
    pub fn set_batch_status(&self, batch_id: &str, status: &BatchStatus) -> Result<()> {
        if let Some(mut rec) = self.batch(batch_id)?
            && rec.last_status.as_ref() != Some(status)
        {
            rec.last_status = Some(status.clone());
            self.batches.insert(batch_id.as_bytes(), encode(&rec)?)?;
        }
        Ok(())
    }

    /// The answered calls at or after `since` (the weekly contact limit of rule packs),
    /// read from the heads [`BatchHead::may_have_reached`] keeps; only those records are
    /// read whole.
    pub fn reached_since(&self, heads: &[BatchHead], since: DateTime<Utc>) -> Result<Reached> {
        let mut answered = Vec::new();
        for h in heads {
            if h.may_have_reached(since)
                && let Some(b) = self.batch(&h.batch_id)?
            {
                answered.push(b.reached);
            }
        }
        Ok(Reached::from_answered(&answered, since))
    }
}

/// How long before the week's start a batch may have started and still have answered
/// calls in the week (a batch runs inside one day's calling window).
pub const REACHED_MARGIN_DAYS: i64 = 2;

/// Key of a batch in the time index: creation time (zero-padded microseconds, so byte
/// order is time order), then the id.
pub(crate) fn time_key(created_at: DateTime<Utc>, batch_id: &str) -> Vec<u8> {
    format!("{:020}.{batch_id}", created_at.timestamp_micros().max(0)).into_bytes()
}
