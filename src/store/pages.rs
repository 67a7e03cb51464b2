//! Reads that serve one page of a list instead of everything: the batch list (heads
//! without recipient lists) and the audit log (newest first, from a cursor).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::Store;
use super::audit::AuditEntry;
use super::error::Result;
use crate::domain::{BatchStatus, FollowUpLink, GroupId, StopReason, UserId};

/// What the batch list shows of a record; the recipients are counted, not built.
#[derive(Debug, Clone, Deserialize)]
pub struct BatchListHead {
    pub batch_id: String,
    pub group_id: GroupId,
    pub group_name: String,
    pub user_id: UserId,
    pub agent_id: String,
    pub call_name: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "count")]
    pub recipients: usize,
    #[serde(default)]
    pub last_status: Option<BatchStatus>,
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    #[serde(default)]
    pub continued_by: Option<FollowUpLink>,
}

fn count<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<usize, D::Error> {
    Ok(Vec::<IgnoredAny>::deserialize(d)?.len())
}

impl Store {
    /// Up to `limit` batch heads created before the cursor `before` (a previous page's
    /// last key), newest first, that `keep` accepts; each with its key. Reads the time
    /// index from the newest end and stops as soon as the page is full.
    pub async fn batch_list_page(
        &self,
        before: Option<&str>,
        limit: usize,
        keep: impl FnMut(&BatchListHead) -> Result<bool>,
    ) -> Result<Vec<(String, BatchListHead)>> {
        on_engine!(self.batch_list_page(before, limit, keep))
    }

    /// Up to `limit` audit entries older than `before` (the key a previous page ended
    /// at), newest first, that `keep` accepts; with the key to continue from when more
    /// may remain. Reads from the newest end and stops as soon as the page is full.
    pub async fn audit_page(
        &self,
        before: Option<&[u8]>,
        limit: usize,
        keep: impl FnMut(&AuditEntry) -> Result<bool>,
    ) -> Result<(Vec<AuditEntry>, Option<Vec<u8>>)> {
        on_engine!(self.audit_page(before, limit, keep))
    }
}
