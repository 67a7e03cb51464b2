//! The audit log: who started, retried, cancelled a batch or changed opt-outs, and when.
//! Append-only and read chronologically.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::error::Result;

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
    pub async fn record_action(
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
        if let Err(e) = self.audit(&entry).await {
            tracing::error!(action = action.as_str(), target, error = %e, "cannot write the audit log");
        }
    }

    /// Appends an entry, durably.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        on_engine!(self.audit(entry))
    }

    /// The most recent `limit` entries, oldest first; optionally only those about `target`.
    pub async fn audit_log(&self, target: Option<&str>, limit: usize) -> Result<Vec<AuditEntry>> {
        on_engine!(self.audit_log(target, limit))
    }
}
