//! The audit log: who started, retried, cancelled a batch or changed opt-outs, and when.
//! Append-only; keys are time-ordered so reading is chronological.

use super::{SledStore, encode, values};
use crate::store::audit::AuditEntry;
use crate::store::error::Result;

impl SledStore {
    /// Appends an entry, durably.
    pub(crate) fn audit(&self, entry: &AuditEntry) -> Result<()> {
        let seq = self.db.generate_id()?;
        let mut key = Vec::with_capacity(16);
        key.extend_from_slice(&entry.at.timestamp_micros().to_be_bytes());
        key.extend_from_slice(&seq.to_be_bytes());
        self.audit.insert(key, encode(entry)?)?;
        self.flush()
    }

    /// The most recent `limit` entries, oldest first; optionally only those about `target`.
    pub(crate) fn audit_log(&self, target: Option<&str>, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut all: Vec<AuditEntry> = values(self.audit.iter())?;
        if let Some(t) = target {
            all.retain(|e| e.target == t);
        }
        let skip = all.len().saturating_sub(limit);
        Ok(all.split_off(skip))
    }
}
