//! Caches that make restarts cheap and requests safe to repeat: enriched conversations
//! and idempotency keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::error::Result;
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
    pub async fn conversation(&self, id: &str) -> Result<Option<ConversationDetails>> {
        on_engine!(self.conversation(id))
    }

    /// Caches a finished conversation, durably: a restart must not fetch it again.
    pub async fn put_conversation(&self, details: &ConversationDetails) -> Result<()> {
        on_engine!(self.put_conversation(details))
    }

    /// Caches many conversations with one flush (enrichment fetches them in bulk).
    pub async fn put_conversations(&self, all: &[ConversationDetails]) -> Result<()> {
        on_engine!(self.put_conversations(all))
    }

    pub async fn idempotent(&self, scope: &str, key: &str) -> Result<Option<IdempotentResponse>> {
        on_engine!(self.idempotent(scope, key))
    }

    pub async fn put_idempotent(
        &self,
        scope: &str,
        key: &str,
        resp: &IdempotentResponse,
    ) -> Result<()> {
        on_engine!(self.put_idempotent(scope, key, resp))
    }

    /// Saves a key's entry without flushing: durable with the next flushed write (the
    /// journal's intent, written right after it).
    pub async fn stage_idempotent(
        &self,
        scope: &str,
        key: &str,
        resp: &IdempotentResponse,
    ) -> Result<()> {
        on_engine!(self.stage_idempotent(scope, key, resp))
    }

    /// Forgets the keys older than the time-to-live.
    pub async fn prune_idempotent(&self, now: DateTime<Utc>) -> Result<usize> {
        on_engine!(self.prune_idempotent(now))
    }
}
