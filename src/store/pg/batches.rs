//! Our records of submitted batches, by id, newest first, per group.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::collections::HashSet;

use super::{PgStore, doc, sql_id, undoc, undoc_rows};
use crate::domain::{BatchRecord, BatchStatus, GroupId};
use crate::store::batches::BatchHead;
use crate::store::error::Result;

impl PgStore {
    /// Saves (or replaces) a batch record.
    pub async fn put_batch(&self, record: &BatchRecord) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        upsert_batch(&mut conn, record).await
    }

    pub async fn batch(&self, batch_id: &str) -> Result<Option<BatchRecord>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM batches WHERE batch_id = $1")
                .bind(batch_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|d| undoc(batch_id, &d)).transpose()
    }

    /// Ids of every batch we hold a record of.
    pub async fn batch_ids(&self) -> Result<HashSet<String>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT batch_id FROM batches")
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.into_iter().collect())
    }

    /// What lists and estimates need of every batch, newest first; the recipient lists
    /// stay in the database.
    pub async fn batch_heads(&self) -> Result<Vec<BatchHead>> {
        let rows = sqlx::query(&format!("SELECT {HEAD} AS doc FROM batches {NEWEST}"))
            .fetch_all(&self.pool)
            .await?;
        undoc_rows("batches", &rows)
    }

    /// Every batch we submitted, newest first.
    pub async fn batches(&self) -> Result<Vec<BatchRecord>> {
        let rows = sqlx::query(&format!("SELECT doc::text AS doc FROM batches {NEWEST}"))
            .fetch_all(&self.pool)
            .await?;
        undoc_rows("batches", &rows)
    }

    /// Heads of one group's batches, newest first.
    pub async fn batches_of_group(&self, group: GroupId) -> Result<Vec<BatchHead>> {
        let rows = sqlx::query(&format!(
            "SELECT {HEAD} AS doc FROM batches WHERE group_id = $1 {NEWEST}"
        ))
        .bind(sql_id(group))
        .fetch_all(&self.pool)
        .await?;
        undoc_rows("batches", &rows)
    }

    /// Records the last status seen upstream.
    pub async fn set_batch_status(&self, batch_id: &str, status: &BatchStatus) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM batches WHERE batch_id = $1 FOR UPDATE")
                .bind(batch_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(d) = row {
            let mut rec: BatchRecord = undoc(batch_id, &d)?;
            if rec.last_status.as_ref() != Some(status) {
                rec.last_status = Some(status.clone());
                upsert_batch(&mut tx, &rec).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A head is the record without its recipient lists, cut when the record is written.
const HEAD: &str = "head";

/// Newest first; among batches of the same microsecond, by id (as sled's scan).
const NEWEST: &str = "ORDER BY created_us DESC, batch_id ASC";

/// Microseconds since 1970 of a record's creation, never negative (sled's time key).
pub(super) fn created_us(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros().max(0)
}

/// Inserts or replaces a batch record on `conn`.
pub(super) async fn upsert_batch(conn: &mut PgConnection, record: &BatchRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO batches (batch_id, group_id, user_id, created_us, doc, head) \
         VALUES ($1, $2, $3, $4, $5::json, ($5::jsonb - 'recipients' - 'skipped')::text) \
         ON CONFLICT (batch_id) DO UPDATE SET group_id = EXCLUDED.group_id, \
         user_id = EXCLUDED.user_id, created_us = EXCLUDED.created_us, doc = EXCLUDED.doc, \
         head = EXCLUDED.head",
    )
    .bind(&record.batch_id)
    .bind(sql_id(record.group_id))
    .bind(sql_id(record.user_id))
    .bind(created_us(record.created_at))
    .bind(doc(record)?)
    .execute(conn)
    .await?;
    Ok(())
}
