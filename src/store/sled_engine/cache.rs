//! Caches that make restarts cheap and requests safe to repeat: enriched conversations
//! and idempotency keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Result, Store, encode, get};
use crate::domain::ConversationDetails;

/// What an `Idempotency-Key` is bound to: the request it first came with (its
/// fingerprint), the journal intent that request wrote, and the answer once there is one,
/// replayed to repeats. Keys expire after [`IDEMPOTENCY_TTL_SECS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotentResponse {
    /// 0 until the request was answered.
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub body: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// Keys saved before fingerprints existed have none and match any request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent_id: Option<String>,
}

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_TTL_SECS: i64 = 24 * 3600;

impl IdempotentResponse {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        (now - self.created_at).num_seconds() > IDEMPOTENCY_TTL_SECS
    }
}

impl Store {
    pub fn conversation(&self, id: &str) -> Result<Option<ConversationDetails>> {
        get(&self.conversations, id.as_bytes())
    }

    /// Caches a finished conversation, durably: a restart must not fetch it again.
    pub fn put_conversation(&self, details: &ConversationDetails) -> Result<()> {
        self.conversations
            .insert(details.conversation_id.as_bytes(), encode(details)?)?;
        self.flush()
    }

    /// Caches many conversations with one flush (enrichment fetches them in bulk).
    pub fn put_conversations(&self, all: &[ConversationDetails]) -> Result<()> {
        if all.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for d in all {
            batch.insert(d.conversation_id.as_bytes(), encode(d)?);
        }
        self.conversations.apply_batch(batch)?;
        self.flush()
    }

    pub fn idempotent(&self, scope: &str, key: &str) -> Result<Option<IdempotentResponse>> {
        get(&self.idempotency, format!("{scope}/{key}").as_bytes())
    }

    pub fn put_idempotent(&self, scope: &str, key: &str, resp: &IdempotentResponse) -> Result<()> {
        self.idempotency
            .insert(format!("{scope}/{key}").as_bytes(), encode(resp)?)?;
        self.flush()
    }

    /// Saves a key's entry without flushing: durable with the next flushed write (the
    /// journal's intent, written right after it).
    pub fn stage_idempotent(
        &self,
        scope: &str,
        key: &str,
        resp: &IdempotentResponse,
    ) -> Result<()> {
        self.idempotency
            .insert(format!("{scope}/{key}").as_bytes(), encode(resp)?)?;
        Ok(())
    }

    /// Forgets the keys older than the time-to-live.
    pub fn prune_idempotent(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut n = 0;
        for kv in self.idempotency.iter() {
            let (k, v) = kv?;
            match serde_json::from_slice::<IdempotentResponse>(&v) {
                Ok(r) if !r.expired(now) => {}
                _ => {
                    self.idempotency.remove(k)?;
                    n += 1;
                }
            }
        }
        if n > 0 {
            self.flush()?;
        }
        Ok(n)
    }
}
