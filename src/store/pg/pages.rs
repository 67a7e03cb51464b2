//! Reads that serve one page of a list: the batch list and the audit log, newest first,
//! from a cursor in the sled engine's form (a batch list key `{micros:020}.{id}`, an
//! audit key of 16 bytes: microseconds and sequence, big-endian), so a cursor means the
//! same to either engine's callers.

use crate::store::audit::AuditEntry;
use crate::store::error::Result;
use crate::store::pages::BatchListHead;

use super::{PgStore, undoc};

/// Rows read per round trip while a page fills.
const CHUNK: i64 = 200;

impl PgStore {
    /// Up to `limit` batch heads created before the cursor `before` (a previous page's
    /// last key), newest first, that `keep` accepts; each with its key.
    pub async fn batch_list_page(
        &self,
        before: Option<&str>,
        limit: usize,
        mut keep: impl FnMut(&BatchListHead) -> Result<bool>,
    ) -> Result<Vec<(String, BatchListHead)>> {
        let mut from = match before {
            Some(b) => list_cursor(b),
            None => (i64::MAX, String::new()),
        };
        let mut out = Vec::new();
        while out.len() < limit {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT created_us, batch_id, (doc::jsonb - 'skipped')::text FROM batches \
                 WHERE (created_us, batch_id) < ($1, $2) \
                 ORDER BY created_us DESC, batch_id DESC LIMIT $3",
            )
            .bind(from.0)
            .bind(&from.1)
            .bind(CHUNK)
            .fetch_all(&self.pool)
            .await?;
            let full = rows.len() as i64 == CHUNK;
            for (us, id, d) in rows {
                from = (us, id.clone());
                let head: BatchListHead = undoc(&id, &d)?;
                if keep(&head)? {
                    out.push((format!("{us:020}.{id}"), head));
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }

    /// Up to `limit` audit entries older than `before` (the key a previous page ended
    /// at), newest first, that `keep` accepts; with the key to continue from when more
    /// may remain.
    pub async fn audit_page(
        &self,
        before: Option<&[u8]>,
        limit: usize,
        mut keep: impl FnMut(&AuditEntry) -> Result<bool>,
    ) -> Result<(Vec<AuditEntry>, Option<Vec<u8>>)> {
        let mut from = before.map_or((i64::MAX, i64::MAX), audit_cursor);
        let mut out = Vec::new();
        let mut last_key = None;
        loop {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT at_us, seq, doc::text FROM audit WHERE (at_us, seq) < ($1, $2) \
                 ORDER BY at_us DESC, seq DESC LIMIT $3",
            )
            .bind(from.0)
            .bind(from.1)
            .bind(CHUNK)
            .fetch_all(&self.pool)
            .await?;
            let full = rows.len() as i64 == CHUNK;
            for (at, seq, d) in rows {
                if out.len() == limit {
                    return Ok((out, last_key));
                }
                from = (at, seq);
                let e: AuditEntry = undoc("audit", &d)?;
                if keep(&e)? {
                    out.push(e);
                    last_key = Some([at.to_be_bytes(), seq.to_be_bytes()].concat());
                }
            }
            if !full {
                return Ok((out, None));
            }
        }
    }
}

/// A batch list cursor as (microseconds, id); one that is not of that form starts
/// before every key it is greater than, as a byte-wise range would.
fn list_cursor(key: &str) -> (i64, String) {
    match key.split_once('.') {
        Some((us, id)) if us.len() == 20 => match us.parse::<i64>() {
            Ok(us) => (us, id.to_string()),
            Err(_) => (i64::MAX, String::new()),
        },
        _ if key.as_bytes().first().is_some_and(u8::is_ascii_digit) => (i64::MAX, String::new()),
        _ => (i64::MIN, String::new()),
    }
}

/// An audit cursor (16 bytes: microseconds, sequence) as numbers.
fn audit_cursor(key: &[u8]) -> (i64, i64) {
    let num = |b: &[u8]| {
        let mut a = [0u8; 8];
        let n = b.len().min(8);
        a[..n].copy_from_slice(&b[..n]);
        i64::from_be_bytes(a)
    };
    (
        num(&key[..key.len().min(8)]),
        num(key.get(8..).unwrap_or(&[])),
    )
}
