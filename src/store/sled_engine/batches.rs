//! Our records of submitted batches.

use super::{SledStore, encode, get, values};
use crate::domain::{BatchRecord, BatchStatus, GroupId};
use crate::store::batches::BatchHead;
use crate::store::error::Result;
use chrono::{DateTime, Utc};

impl SledStore {
    /// Saves (or replaces) a batch record, durably.
    pub(crate) fn put_batch(&self, record: &BatchRecord) -> Result<()> {
        self.batches
            .insert(record.batch_id.as_bytes(), encode(record)?)?;
        self.batch_times
            .insert(time_key(record.created_at, &record.batch_id), &[])?;
        self.flush()
    }

    pub(crate) fn batch(&self, batch_id: &str) -> Result<Option<BatchRecord>> {
        get(&self.batches, batch_id.as_bytes())
    }

    /// Ids of every batch we hold a record of (keys only: cheap).
    pub(crate) fn batch_ids(&self) -> Result<std::collections::HashSet<String>> {
        self.batches
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    /// What lists and estimates need of every batch, newest first, without reading the
    /// recipient lists (a 1,000-recipient record is skipped over, not built).
    pub(crate) fn batch_heads(&self) -> Result<Vec<BatchHead>> {
        let mut all: Vec<BatchHead> = values(self.batches.iter())?;
        all.sort_by_key(|b| std::cmp::Reverse(b.created_at));
        Ok(all)
    }

    /// Every batch we submitted, newest first.
    pub(crate) fn batches(&self) -> Result<Vec<BatchRecord>> {
        let mut all: Vec<BatchRecord> = values(self.batches.iter())?;
        all.sort_by_key(|b| std::cmp::Reverse(b.created_at));
        Ok(all)
    }

    /// Heads of one group's batches, newest first (enough for its last batch and for
    /// whether one is still running).
    pub(crate) fn batches_of_group(&self, group: GroupId) -> Result<Vec<BatchHead>> {
        let mut v = self.batch_heads()?;
        v.retain(|b| b.group_id == group);
        Ok(v)
    }

    /// Records the last status seen upstream (no flush: it is re-read from upstream anyway).
    pub(crate) fn set_batch_status(&self, batch_id: &str, status: &BatchStatus) -> Result<()> {
        if let Some(mut rec) = self.batch(batch_id)?
            && rec.last_status.as_ref() != Some(status)
        {
            rec.last_status = Some(status.clone());
            self.batches.insert(batch_id.as_bytes(), encode(&rec)?)?;
        }
        Ok(())
    }
}

/// Key of a batch in the time index: creation time (zero-padded microseconds, so byte
/// order is time order), then the id.
pub(crate) fn time_key(created_at: DateTime<Utc>, batch_id: &str) -> Vec<u8> {
    format!("{:020}.{batch_id}", created_at.timestamp_micros().max(0)).into_bytes()
}
