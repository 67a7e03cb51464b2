//! The audit log: append-only, read in order of time (then of writing).

use super::{PgStore, doc, undoc_rows};
use crate::store::audit::AuditEntry;
use crate::store::error::Result;

impl PgStore {
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
