//! The submission journal. At most one *pending* intent per group exists (a partial
//! unique index): a second one is refused by the database, whichever process writes it.
//! Settling saves the batch's record and the intent's new state in one transaction.

use sqlx::PgConnection;

use super::batches::upsert_batch;
use super::{PgStore, doc, undoc, undoc_rows};
use crate::domain::intent::{IntentState, SubmitIntent};
use crate::domain::{BatchRecord, GroupId};
use crate::store::error::{Result, StoreError};

impl PgStore {
    /// Writes (or rewrites) an intent: only then may its submit go out. A pending intent
    /// while another of its group is pending is refused (`StoreError::Conflict`).
    pub async fn put_intent(&self, intent: &SubmitIntent) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        upsert_intent(&mut conn, intent).await
    }

    pub async fn intent(&self, id: &str) -> Result<Option<SubmitIntent>> {
        let row: Option<String> = sqlx::query_scalar("SELECT doc::text FROM intents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|d| undoc(id, &d)).transpose()
    }

    /// Intents still planned or pending, oldest first.
    pub async fn open_intents(&self) -> Result<Vec<SubmitIntent>> {
        let rows = sqlx::query(
            "SELECT doc::text AS doc FROM intents WHERE state IN ('planned', 'pending') ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        undoc_rows("journal", &rows)
    }

    /// A group's open intents, oldest first.
    pub async fn open_intents_of_group(&self, group: GroupId) -> Result<Vec<SubmitIntent>> {
        let rows = sqlx::query(
            "SELECT doc::text AS doc FROM intents \
             WHERE group_id = $1 AND state IN ('planned', 'pending') ORDER BY id",
        )
        .bind(super::sql_id(group))
        .fetch_all(&self.pool)
        .await?;
        undoc_rows("journal", &rows)
    }

    /// Saves the batch's record and marks the intent settled with its id, atomically.
    pub async fn settle_intent(&self, intent: &SubmitIntent, record: &BatchRecord) -> Result<()> {
        let mut settled = intent.clone();
        settled.state = IntentState::Settled {
            batch_id: record.batch_id.clone(),
        };
        // The recipients live in the batch's record from now on: not written twice.
        settled.record.recipients = Vec::new();
        settled.record.skipped = Vec::new();
        let mut tx = self.pool.begin().await?;
        upsert_batch(&mut tx, record).await?;
        upsert_intent(&mut tx, &settled).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks an intent abandoned: nothing was created upstream.
    pub async fn abandon_intent(&self, intent: &SubmitIntent, reason: &str) -> Result<()> {
        let mut gone = intent.clone();
        gone.state = IntentState::Abandoned {
            reason: reason.to_string(),
        };
        self.put_intent(&gone).await
    }

    /// Forgets closed intents created before `before_unix` (their batches keep their
    /// records; only the journal entry goes).
    pub async fn prune_intents(&self, before_unix: i64) -> Result<usize> {
        // Clamped to what PostgreSQL's timestamps hold and chrono (about 4700 BC to AD 250,000).
        let before = before_unix.clamp(-210_000_000_000, 8_000_000_000_000);
        let before = chrono::DateTime::from_timestamp(before, 0).unwrap_or_default();
        let done = sqlx::query(
            "DELETE FROM intents WHERE state NOT IN ('planned', 'pending') AND created_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() as usize)
    }
}

/// The intent's state as the `state` column holds it.
fn state_name(s: &IntentState) -> &'static str {
    match s {
        IntentState::Planned => "planned",
        IntentState::Pending => "pending",
        IntentState::Settled { .. } => "settled",
        IntentState::Abandoned { .. } => "abandoned",
    }
}

pub(super) async fn upsert_intent(conn: &mut PgConnection, intent: &SubmitIntent) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO intents (id, group_id, state, created_at, doc) VALUES ($1, $2, $3, $4, $5::json) \
         ON CONFLICT (id) DO UPDATE SET group_id = EXCLUDED.group_id, state = EXCLUDED.state, \
         created_at = EXCLUDED.created_at, doc = EXCLUDED.doc",
    )
    .bind(&intent.id)
    .bind(super::sql_id(intent.group_id))
    .bind(state_name(&intent.state))
    .bind(intent.created_at)
    .bind(doc(intent)?)
    .execute(conn)
    .await;
    match done {
        Err(e) if super::sqlstate(&e).as_deref() == Some("23505") => {
            Err(StoreError::Conflict(format!(
                "el grupo {} ya tiene un envío a ElevenLabs sin confirmar; espere a que se confirme (unos segundos) y vuelva a intentarlo",
                intent.group_id
            )))
        }
        Err(e) => Err(e.into()),
        Ok(_) => Ok(()),
    }
}
