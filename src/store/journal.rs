//! The submission journal: intents written before every submit (see
//! `crate::domain::intent`). Settling an intent saves the batch's record and the intent's
//! new state in one transaction, so a crash never leaves a batch recorded without its
//! intent settled.

use super::Store;
use super::error::Result;
use crate::domain::intent::SubmitIntent;
use crate::domain::{BatchRecord, GroupId};

impl Store {
    /// Writes (or rewrites) an intent, durably: only then may its submit go out.
    pub async fn put_intent(&self, intent: &SubmitIntent) -> Result<()> {
        on_engine!(self.put_intent(intent))
    }

    pub async fn intent(&self, id: &str) -> Result<Option<SubmitIntent>> {
        on_engine!(self.intent(id))
    }

    /// Intents still planned or pending, oldest first.
    pub async fn open_intents(&self) -> Result<Vec<SubmitIntent>> {
        on_engine!(self.open_intents())
    }

    /// A group's open intents, oldest first.
    pub async fn open_intents_of_group(&self, group: GroupId) -> Result<Vec<SubmitIntent>> {
        on_engine!(self.open_intents_of_group(group))
    }

    /// Saves the batch's record and marks the intent settled with its id, atomically
    /// (durable with sled's next flush; see below).
    pub async fn settle_intent(&self, intent: &SubmitIntent, record: &BatchRecord) -> Result<()> {
        on_engine!(self.settle_intent(intent, record))
    }

    /// Marks an intent abandoned: nothing was created upstream.
    pub async fn abandon_intent(&self, intent: &SubmitIntent, reason: &str) -> Result<()> {
        on_engine!(self.abandon_intent(intent, reason))
    }

    /// Forgets closed intents created before `before_unix` (their batches keep their
    /// records; only the journal entry goes).
    pub async fn prune_intents(&self, before_unix: i64) -> Result<usize> {
        on_engine!(self.prune_intents(before_unix))
    }
}
