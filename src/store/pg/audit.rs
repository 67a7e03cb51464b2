//! The audit log: append-only, read in order of time (then of writing).

use chrono::Utc;

use super::{PgStore, doc, undoc_rows};
use crate::store::audit::AuditEntry;
use crate::store::error::Result;

impl PgStore {
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

    /// Appends an entry.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        sqlx::query("INSERT INTO audit (at_us, target, doc) VALUES ($1, $2, $3::json)")
            .bind(entry.at.timestamp_micros())
            .bind(&entry.target)
            .bind(doc(entry)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The most recent `limit` entries, oldest first; optionally only those about `target`.
    pub async fn audit_log(&self, target: Option<&str>, limit: usize) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT doc FROM (SELECT doc::text AS doc, at_us, seq FROM audit \
             WHERE $1::text IS NULL OR target = $1 ORDER BY at_us DESC, seq DESC LIMIT $2) AS t \
             ORDER BY at_us, seq",
        )
        .bind(target)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        undoc_rows("audit", &rows)
    }
}
