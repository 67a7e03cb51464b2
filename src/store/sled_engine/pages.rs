//! Reads that serve one page of a list instead of everything: the batch list (heads
//! without recipient lists) and the audit log (newest first, from a cursor).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{SledStore, decode};
use crate::store::audit::AuditEntry;
use crate::store::error::Result;
use crate::store::pages::BatchListHead;

#[derive(Deserialize)]
struct Created {
    created_at: DateTime<Utc>,
}

impl SledStore {
    /// Builds the time index of a store written before it existed (once).
    pub(super) fn index_batch_times(&self) -> Result<()> {
        if self.batch_times.len() >= self.batches.len() {
            return Ok(());
        }
        for kv in self.batches.iter() {
            let (k, v) = kv?;
            let id = String::from_utf8_lossy(&k).into_owned();
            let c: Created = decode(&id, &v)?;
            self.batch_times
                .insert(super::batches::time_key(c.created_at, &id), &[])?;
        }
        self.flush()
    }

    /// Up to `limit` batch heads created before the cursor `before` (a previous page's
    /// last key), newest first, that `keep` accepts; each with its key. Reads the time
    /// index from the newest end and stops as soon as the page is full.
    pub(crate) fn batch_list_page(
        &self,
        before: Option<&str>,
        limit: usize,
        mut keep: impl FnMut(&BatchListHead) -> Result<bool>,
    ) -> Result<Vec<(String, BatchListHead)>> {
        let iter = match before {
            Some(b) => self.batch_times.range(..b.as_bytes().to_vec()),
            None => self.batch_times.iter(),
        };
        let mut out = Vec::new();
        for k in iter.keys().rev() {
            let k = k?;
            let key = String::from_utf8_lossy(&k).into_owned();
            let Some((_, id)) = key.split_once('.') else {
                continue;
            };
            let Some(v) = self.batches.get(id.as_bytes())? else {
                continue;
            };
            let head: BatchListHead = decode(id, &v)?;
            if keep(&head)? {
                out.push((key, head));
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Up to `limit` audit entries older than `before` (the key a previous page ended
    /// at), newest first, that `keep` accepts; with the key to continue from when more
    /// may remain. Reads from the newest end and stops as soon as the page is full.
    pub(crate) fn audit_page(
        &self,
        before: Option<&[u8]>,
        limit: usize,
        mut keep: impl FnMut(&AuditEntry) -> Result<bool>,
    ) -> Result<(Vec<AuditEntry>, Option<Vec<u8>>)> {
        let iter = match before {
            Some(b) => self.audit.range(..b.to_vec()),
            None => self.audit.iter(),
        };
        let mut out = Vec::new();
        let mut last_key = None;
        for kv in iter.rev() {
            let (k, v) = kv?;
            if out.len() == limit {
                return Ok((out, last_key));
            }
            let e: AuditEntry = decode("audit", &v)?;
            if keep(&e)? {
                out.push(e);
                last_key = Some(k.to_vec());
            }
        }
        Ok((out, None))
    }
}
