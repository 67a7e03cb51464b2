//! The submission journal: intents written before every submit (see
//! `crate::domain::intent`), and idempotency keys bound to a request's fingerprint.
//! Settling an intent saves the batch's record and the intent's new state in one
//! transaction, so a crash never leaves a batch recorded without its intent settled.

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{SledStore, decode, encode, get, values};
use crate::domain::intent::{IntentState, SubmitIntent};
use crate::domain::{BatchRecord, GroupId};
use crate::store::error::{Result, StoreError};

impl SledStore {
    /// Writes (or rewrites) an intent, durably: only then may its submit go out.
    pub(crate) fn put_intent(&self, intent: &SubmitIntent) -> Result<()> {
        self.journal.insert(intent.id.as_bytes(), encode(intent)?)?;
        self.flush()
    }

    pub(crate) fn intent(&self, id: &str) -> Result<Option<SubmitIntent>> {
        get(&self.journal, id.as_bytes())
    }

    /// Intents still planned or pending, oldest first.
    pub(crate) fn open_intents(&self) -> Result<Vec<SubmitIntent>> {
        let mut all: Vec<SubmitIntent> = values(self.journal.iter())?;
        all.retain(SubmitIntent::is_open);
        Ok(all)
    }

    /// A group's open intents, oldest first.
    pub(crate) fn open_intents_of_group(&self, group: GroupId) -> Result<Vec<SubmitIntent>> {
        let mut all = self.open_intents()?;
        all.retain(|i| i.group_id == group);
        Ok(all)
    }

    /// Saves the batch's record and marks the intent settled with its id, atomically
    /// (durable with sled's next flush; see below).
    pub(crate) fn settle_intent(&self, intent: &SubmitIntent, record: &BatchRecord) -> Result<()> {
        let mut settled = intent.clone();
        settled.state = IntentState::Settled {
            batch_id: record.batch_id.clone(),
        };
        // The recipients live in the batch's record from now on: not written twice.
        settled.record.recipients = Vec::new();
        settled.record.skipped = Vec::new();
        let rec = encode(record)?;
        let int = encode(&settled)?;
        let time = super::batches::time_key(record.created_at, &record.batch_id);
        (&self.batches, &self.journal, &self.batch_times)
            .transaction(|(batches, journal, times)| {
                batches.insert(record.batch_id.as_bytes(), rec.as_slice())?;
                journal.insert(intent.id.as_bytes(), int.as_slice())?;
                times.insert(time.as_slice(), &[] as &[u8])?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e: TransactionError<()>| StoreError::Io(format!("{e:?}")))?;
        // No flush of its own: the pending intent was flushed before the submit, so a
        // crash before sled's next background flush leaves an open intent that the
        // start-up lookup settles again from upstream. One fsync less per call start.
        Ok(())
    }

    /// Marks an intent abandoned: nothing was created upstream.
    pub(crate) fn abandon_intent(&self, intent: &SubmitIntent, reason: &str) -> Result<()> {
        let mut gone = intent.clone();
        gone.state = IntentState::Abandoned {
            reason: reason.to_string(),
        };
        self.put_intent(&gone)
    }

    /// Forgets closed intents created before `before_unix` (their batches keep their
    /// records; only the journal entry goes).
    pub(crate) fn prune_intents(&self, before_unix: i64) -> Result<usize> {
        let mut n = 0;
        for kv in self.journal.iter() {
            let (k, v) = kv?;
            let i: SubmitIntent = decode(&String::from_utf8_lossy(&k), &v)?;
            if !i.is_open() && i.created_at.timestamp() < before_unix {
                self.journal.remove(k)?;
                n += 1;
            }
        }
        if n > 0 {
            self.flush()?;
        }
        Ok(n)
    }
}
