//! Caches that make restarts cheap and requests safe to repeat: enriched conversations
//! and idempotency keys.

use chrono::{DateTime, Utc};

use super::{SledStore, encode, get};
use crate::domain::ConversationDetails;
use crate::store::cache::IdempotentResponse;
use crate::store::error::Result;

impl SledStore {
    pub(crate) fn conversation(&self, id: &str) -> Result<Option<ConversationDetails>> {
        get(&self.conversations, id.as_bytes())
    }

    /// Caches a finished conversation, durably: a restart must not fetch it again.
    pub(crate) fn put_conversation(&self, details: &ConversationDetails) -> Result<()> {
        self.conversations
            .insert(details.conversation_id.as_bytes(), encode(details)?)?;
        self.flush()
    }

    /// Caches many conversations with one flush (enrichment fetches them in bulk).
    pub(crate) fn put_conversations(&self, all: &[ConversationDetails]) -> Result<()> {
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

    pub(crate) fn idempotent(&self, scope: &str, key: &str) -> Result<Option<IdempotentResponse>> {
        get(&self.idempotency, format!("{scope}/{key}").as_bytes())
    }

    pub(crate) fn put_idempotent(
        &self,
        scope: &str,
        key: &str,
        resp: &IdempotentResponse,
    ) -> Result<()> {
        self.idempotency
            .insert(format!("{scope}/{key}").as_bytes(), encode(resp)?)?;
        self.flush()
    }

    /// Saves a key's entry without flushing: durable with the next flushed write (the
    /// journal's intent, written right after it).
    pub(crate) fn stage_idempotent(
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
    pub(crate) fn prune_idempotent(&self, now: DateTime<Utc>) -> Result<usize> {
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
