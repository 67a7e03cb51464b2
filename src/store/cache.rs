//! Caches that make restarts cheap and requests safe to repeat: enriched conversations
//! and idempotency keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Result, Store, encode, get};
use crate::domain::ConversationDetails;

/// The answer given to the first request with an `Idempotency-Key`, replayed to repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotentResponse {
    pub status: u16,
    pub body: serde_json::Value,
    pub created_at: DateTime<Utc>,
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
}
