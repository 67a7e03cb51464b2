//! Our records of submitted batches.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Store;
use super::error::Result;
use crate::domain::preflight::Reached;
use crate::domain::{BatchOutcome, BatchRecord, BatchStatus, GroupId};

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

    /// Whether the batch is done, answered someone and started at or after `earliest`:
    /// only such a batch can hold answered calls of the week [`Store::reached_since`] reads.
    pub fn answered_since(&self, earliest: DateTime<Utc>) -> bool {
        let started = self
            .scheduled_time_unix
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .map_or(self.created_at, |t| t.max(self.created_at));
        let answered_someone = self.outcome.as_ref().is_some_and(|o| o.completed > 0);
        self.is_done() && answered_someone && started >= earliest
    }
}

/// How long before the week's start a batch may have started and still have answered
/// calls in the week (a batch runs inside one day's calling window).
pub const REACHED_MARGIN_DAYS: i64 = 2;

impl Store {
    /// Saves (or replaces) a batch record, durably.
    pub async fn put_batch(&self, record: &BatchRecord) -> Result<()> {
        on_engine!(self.put_batch(record))
    }

    pub async fn batch(&self, batch_id: &str) -> Result<Option<BatchRecord>> {
        on_engine!(self.batch(batch_id))
    }

    /// Ids of every batch we hold a record of (keys only: cheap).
    pub async fn batch_ids(&self) -> Result<std::collections::HashSet<String>> {
        on_engine!(self.batch_ids())
    }

    /// What lists and estimates need of every batch, newest first, without reading the
    /// recipient lists (a 1,000-recipient record is skipped over, not built).
    pub async fn batch_heads(&self) -> Result<Vec<BatchHead>> {
        on_engine!(self.batch_heads())
    }

    /// Every batch we submitted, newest first.
    pub async fn batches(&self) -> Result<Vec<BatchRecord>> {
        on_engine!(self.batches())
    }

    /// Heads of one group's batches, newest first (enough for its last batch and for
    /// whether one is still running).
    pub async fn batches_of_group(&self, group: GroupId) -> Result<Vec<BatchHead>> {
        on_engine!(self.batches_of_group(group))
    }

    /// Records the last status seen upstream (no flush: it is re-read from upstream anyway).
    pub async fn set_batch_status(&self, batch_id: &str, status: &BatchStatus) -> Result<()> {
        on_engine!(self.set_batch_status(batch_id, status))
    }
    /// The answered calls at or after `since` (the weekly contact limit of rule packs),
    /// read from the finished batches among `heads` that answered someone and started at
    /// most [`REACHED_MARGIN_DAYS`] before `since`; only those records are read whole.
    pub async fn reached_since(
        &self,
        heads: &[BatchHead],
        since: DateTime<Utc>,
    ) -> Result<Reached> {
        let earliest = since - chrono::Duration::days(REACHED_MARGIN_DAYS);
        let mut answered = Vec::new();
        for h in heads.iter().filter(|h| h.answered_since(earliest)) {
            if let Some(b) = self.batch(&h.batch_id).await? {
                answered.push(b.reached);
            }
        }
        Ok(Reached::from_answered(&answered, since))
    }
}
