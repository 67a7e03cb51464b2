//! Enrichment: each finished conversation is fetched from ElevenLabs once, with a bound on
//! how many fetches run at once (across all batches), and cached in the store so a restart
//! fetches nothing again. A failed fetch leaves only that recipient un-enriched, with the
//! reason, and is tried again on a later poll. When post-call webhooks are received, a
//! finished call's conversation is first waited for (it comes pushed, straight into the
//! cache) and fetched only if it has not come after a while: the reconciliation.

use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

use crate::domain::ConversationDetails;
use crate::elevenlabs::ElevenLabsClient;
use crate::store::Store;

/// After this many failed tries a conversation is left un-enriched for good (until the
/// next time someone opens the batch).
pub const MAX_ATTEMPTS: u32 = 8;

/// Conversation states that will not change any more: safe to cache for ever.
fn is_settled(status: &str) -> bool {
    matches!(status, "done" | "failed")
}

/// Shared by every poller of a hub.
pub struct Enricher {
    client: ElevenLabsClient,
    store: Store,
    permits: Arc<Semaphore>,
    concurrency: usize,
    /// With webhooks: how long a conversation is waited for before it is fetched.
    hold: Option<Duration>,
    /// Conversation fetches made upstream (for tests and benches).
    pub fetches: AtomicU64,
}

/// What one batch's poller knows about its conversations.
#[derive(Default)]
pub struct EnrichState {
    pub conversations: HashMap<String, Arc<ConversationDetails>>,
    /// Why a conversation is not enriched yet (Spanish, shown to the supervisor).
    pub failures: HashMap<String, String>,
    attempts: HashMap<String, u32>,
    pub gave_up: HashSet<String>,
    /// When each conversation was first wanted (for the webhooks' hold).
    first_wanted: HashMap<String, Instant>,
}

impl Enricher {
    pub fn new(client: ElevenLabsClient, store: Store, concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            client,
            store,
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            hold: None,
            fetches: AtomicU64::new(0),
        }
    }

    /// The same enricher waiting `hold` for a pushed conversation before fetching it.
    pub fn holding(mut self, hold: Option<Duration>) -> Self {
        self.hold = hold;
        self
    }

    /// Whether `id` is still waited for from a webhook rather than fetched.
    fn held(&self, id: &str, st: &mut EnrichState) -> bool {
        let Some(hold) = self.hold else {
            return false;
        };
        let first = st
            .first_wanted
            .entry(id.to_string())
            .or_insert_with(Instant::now);
        first.elapsed() < hold
    }

    /// Makes sure every conversation in `wanted` is in `st.conversations`, from the store
    /// or from ElevenLabs, or has a reason in `st.failures`.
    pub async fn fill(&self, wanted: Vec<String>, st: &mut EnrichState) {
        let mut to_fetch = Vec::new();
        for id in wanted {
            if st.conversations.contains_key(&id) || st.gave_up.contains(&id) {
                continue;
            }
            match self.store.conversation(&id).await {
                Ok(Some(c)) => {
                    st.failures.remove(&id);
                    st.first_wanted.remove(&id);
                    st.conversations.insert(id, Arc::new(c));
                }
                Ok(None) if self.held(&id, st) => {}
                Ok(None) => to_fetch.push(id),
                Err(e) => {
                    tracing::warn!(error = %e, "conversation cache unreadable; asking ElevenLabs");
                    to_fetch.push(id);
                }
            }
        }
        if to_fetch.is_empty() {
            return;
        }
        let results: Vec<_> = futures::stream::iter(to_fetch)
            .map(|id| async move {
                // The permit is global: many batches enriching at once share the bound.
                let _permit = self.permits.acquire().await;
                self.fetches.fetch_add(1, Ordering::Relaxed);
                let r = self.client.get_conversation(&id).await;
                (id, r)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut settled = Vec::new();
        for (id, r) in results {
            let reason = match r {
                Ok(conv) => {
                    let d = conv.to_details();
                    if is_settled(&d.status) {
                        settled.push(d);
                        continue;
                    }
                    "la conversación aún se está procesando en ElevenLabs".to_string()
                }
                Err(e) if e.is_rate_limited() => {
                    "ElevenLabs limitó las consultas; se reintentará".to_string()
                }
                Err(e) if e.is_not_found() => "la conversación no existe en ElevenLabs".to_string(),
                Err(e) => format!("no se pudo obtener la conversación: {e}"),
            };
            let n = st.attempts.entry(id.clone()).or_default();
            *n += 1;
            if *n >= MAX_ATTEMPTS {
                st.gave_up.insert(id.clone());
            }
            st.failures.insert(id, reason);
        }
        if let Err(e) = self.store.put_conversations(&settled).await {
            tracing::warn!(error = %e, "cannot save the conversation cache");
        }
        for d in settled {
            st.failures.remove(&d.conversation_id);
            st.attempts.remove(&d.conversation_id);
            st.first_wanted.remove(&d.conversation_id);
            st.conversations
                .insert(d.conversation_id.clone(), Arc::new(d));
        }
    }

    /// Puts in `st` what the cache holds of `ids` (the reasons webhooks gave for calls
    /// that never connected); never asks ElevenLabs.
    pub async fn load_cached(&self, ids: impl IntoIterator<Item = String>, st: &mut EnrichState) {
        for id in ids {
            if !st.conversations.contains_key(&id)
                && let Ok(Some(c)) = self.store.conversation(&id).await
            {
                st.conversations.insert(id, Arc::new(c));
            }
        }
    }

    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}
