//! Enriched conversations and idempotency keys.

use chrono::{DateTime, Utc};

use super::{PgStore, doc, undoc};
use crate::domain::ConversationDetails;
use crate::store::cache::{IDEMPOTENCY_TTL_SECS, IdempotentResponse};
use crate::store::error::Result;

impl PgStore {
    pub async fn conversation(&self, id: &str) -> Result<Option<ConversationDetails>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM conversations WHERE conversation_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|d| undoc(id, &d)).transpose()
    }

    /// Caches a finished conversation: a restart must not fetch it again.
    pub async fn put_conversation(&self, details: &ConversationDetails) -> Result<()> {
        self.put_conversations(std::slice::from_ref(details)).await
    }

    /// Caches many conversations in one statement (enrichment fetches them in bulk).
    pub async fn put_conversations(&self, all: &[ConversationDetails]) -> Result<()> {
        if all.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = all.iter().map(|d| d.conversation_id.as_str()).collect();
        let docs = all.iter().map(doc).collect::<Result<Vec<_>>>()?;
        // The last of a repeated id wins, as in a sled batch of inserts.
        sqlx::query(
            "INSERT INTO conversations (conversation_id, doc) \
             SELECT DISTINCT ON (t.i) t.i, t.d::json \
             FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS t(i, d, n) ORDER BY t.i, t.n DESC \
             ON CONFLICT (conversation_id) DO UPDATE SET doc = EXCLUDED.doc",
        )
        .bind(&ids)
        .bind(&docs)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn idempotent(&self, scope: &str, key: &str) -> Result<Option<IdempotentResponse>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM idempotency WHERE scope = $1 AND key = $2")
                .bind(scope)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|d| undoc(&format!("{scope}/{key}"), &d))
            .transpose()
    }

    pub async fn put_idempotent(
        &self,
        scope: &str,
        key: &str,
        resp: &IdempotentResponse,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO idempotency (scope, key, created_at, doc) VALUES ($1, $2, $3, $4::json) \
             ON CONFLICT (scope, key) DO UPDATE SET created_at = EXCLUDED.created_at, doc = EXCLUDED.doc",
        )
        .bind(scope)
        .bind(key)
        .bind(resp.created_at)
        .bind(doc(resp)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Saves a key's entry (every write is durable here: the same as `put_idempotent`).
    pub async fn stage_idempotent(
        &self,
        scope: &str,
        key: &str,
        resp: &IdempotentResponse,
    ) -> Result<()> {
        self.put_idempotent(scope, key, resp).await
    }

    /// Forgets the keys older than the time-to-live (`IdempotentResponse::expired`:
    /// whole seconds past it).
    pub async fn prune_idempotent(&self, now: DateTime<Utc>) -> Result<usize> {
        let cutoff = now - chrono::Duration::seconds(IDEMPOTENCY_TTL_SECS + 1);
        let done = sqlx::query("DELETE FROM idempotency WHERE created_at <= $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() as usize)
    }
}
