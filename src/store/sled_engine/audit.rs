//! The audit log: who started, retried, cancelled a batch or changed opt-outs, and when.
//! Append-only; keys are time-ordered so reading is chronological.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Result, Store, encode, values};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// `user:19`, `admin`, `cli`, `system` (automatic actions such as the circuit breaker).
    pub actor: String,
    /// `batch.start`, `batch.retry`, `batch.cancel`, `optout.add`, `optout.remove`...
    pub action: String,
    /// What it acted on (batch id, phone...).
    pub target: String,
    #[serde(default)]
    pub details: serde_json::Value,
}

impl Store {
    /// Appends what `actor` just did. A failure is logged, never returned: the action
    /// itself has happened and its result must not be hidden by the log's trouble.
    pub fn record_action(
        &self,
        actor: &str,
        action: crate::domain::AuditAction,
        target: &str,
        details: serde_json::Value,
    ) {
        let entry = AuditEntry {
            at: Utc::now(),
            actor: actor.to_string(),
            action: action.as_str().to_string(),
            target: target.to_string(),
            details,
        };
        if let Err(e) = self.audit(&entry) {
            tracing::error!(action = action.as_str(), target, error = %e, "cannot write the audit log");
        }
    }

    /// Appends an entry, durably.
    pub fn audit(&self, entry: &AuditEntry) -> Result<()> {
        let seq = self.db.generate_id()?;
        let mut key = Vec::with_capacity(16);
        key.extend_from_slice(&entry.at.timestamp_micros().to_be_bytes());
        key.extend_from_slice(&seq.to_be_bytes());
        self.audit.insert(key, encode(entry)?)?;
        self.flush()
    }

    /// The most recent `limit` entries, oldest first; optionally only those about `target`.
    pub fn audit_log(&self, target: Option<&str>, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut all: Vec<AuditEntry> = values(self.audit.iter())?;
        if let Some(t) = target {
            all.retain(|e| e.target == t);
        }
        let skip = all.len().saturating_sub(limit);
        Ok(all.split_off(skip))
    }
}
