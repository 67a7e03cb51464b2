//! The one path every submission to ElevenLabs takes (call starts, automatic retry
//! rounds, window-close continuations, resumes): write the intent durably, submit, settle
//! the intent with the batch id. An intent left unsettled (a crash, a lost answer, a
//! lookup that failed) is settled by finding its batch upstream before anything else may
//! submit for its group, so a batch is never submitted twice.

mod request;
mod settle;

use chrono::Utc;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;

use crate::domain::intent::{IntentKey, IntentKind, IntentState, SubmitIntent};
use crate::domain::{BatchRecord, GroupId, intent};
use crate::elevenlabs::{BatchCallResponse, ElevenLabsClient, ElevenLabsError};
use crate::store::{Store, StoreError};

pub use request::{MAX_RECIPIENTS, call_name, submit_request};
pub use settle::Settlement;

#[derive(Debug, Error)]
pub enum JournalError {
    /// ElevenLabs said no: nothing was created, nobody dialled.
    #[error("{0}")]
    Refused(ElevenLabsError),
    /// The batch may exist: the intent stays open and is settled before any new submit.
    #[error(
        "No se pudo confirmar si ElevenLabs creó el lote ({0}); nadie será marcado dos veces: repita la petición con la misma Idempotency-Key en unos segundos"
    )]
    Unknown(String),
    #[error("almacén: {0}")]
    Store(#[from] StoreError),
}

/// A batch that exists upstream with its record saved.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub record: BatchRecord,
    /// ElevenLabs' answer (or the list's item when the batch was found by a lookup).
    pub batch: BatchCallResponse,
}

pub struct Journal {
    store: Store,
    client: ElevenLabsClient,
    /// How long after its intent a batch may still appear upstream: until then an
    /// intent whose batch is not found stays unknown rather than abandoned.
    grace: Duration,
    /// One submit or settle per group at a time in this process.
    locks: Mutex<HashMap<GroupId, Arc<tokio::sync::Mutex<()>>>>,
}

impl Journal {
    pub fn new(store: Store, client: ElevenLabsClient, grace: Duration) -> Self {
        Self {
            store,
            client,
            grace,
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// Held around anything that settles or submits for `group`. Ids come from requests
    /// (any number, existing or not), so locks nobody holds or waits for are dropped here:
    /// the map only holds locks in use.
    pub fn group_lock(&self, group: GroupId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.retain(|_, l| Arc::strong_count(l) > 1);
        locks.entry(group).or_default().clone()
    }

    /// Held around anything that settles or submits for `group`: this process's lock,
    /// then the store's (the other processes on a shared store; nothing more with sled).
    pub async fn lock_group(&self, group: GroupId) -> Result<GroupLock, StoreError> {
        let local = self.group_lock(group).lock_owned().await;
        let shared = self.store.group_guard(group).await?;
        Ok(GroupLock {
            _shared: shared,
            _local: local,
        })
    }

    /// [`Journal::lock_group`] unless this process is already submitting or settling for
    /// the group (then None at once).
    pub async fn try_lock_group(&self, group: GroupId) -> Result<Option<GroupLock>, StoreError> {
        let Ok(local) = self.group_lock(group).try_lock_owned() else {
            return Ok(None);
        };
        let shared = self.store.group_guard(group).await?;
        Ok(Some(GroupLock {
            _shared: shared,
            _local: local,
        }))
    }

    /// How many group locks the map holds: those in use, and the last one asked for until
    /// the next request prunes it (tests check that the map does not grow).
    pub fn group_lock_count(&self) -> usize {
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Writes the intent, submits it and settles it. The caller holds the group lock
    /// and has settled the group's earlier intents.
    pub async fn submit(&self, mut intent: SubmitIntent) -> Result<Submitted, JournalError> {
        intent.state = IntentState::Pending;
        self.store.put_intent(&intent).await?;
        let request = request::for_intent(&intent);
        let known = self.store.batch_ids().await?;
        match self.client.submit_batch_excluding(&request, &known).await {
            Ok(batch) => Ok(self.record_settled(&intent, batch).await),
            Err(e) => Err(self.failed(&intent, e).await),
        }
    }

    /// A supervisor's retry of a finished batch, through the journal: the intent is
    /// written first, so a lost answer or a crash is settled by reading the batch's
    /// `retry_count` back, never by sending the retry again. The caller holds the group
    /// lock and has settled the group's earlier intents.
    pub async fn redial(
        &self,
        parent: &BatchRecord,
        retry_count_before: u32,
        timezone: chrono_tz::Tz,
    ) -> Result<BatchCallResponse, JournalError> {
        let mut record = parent.clone();
        record.recipients = Vec::new();
        record.skipped = Vec::new();
        let mut intent = draft(
            record,
            Draft {
                kind: IntentKind::Redial,
                timezone,
                key: None,
                parent: Some(parent.batch_id.clone()),
                due_unix: None,
            },
        );
        intent.retry_count_before = Some(retry_count_before);
        self.store.put_intent(&intent).await?;
        match self.client.retry_batch(&parent.batch_id).await {
            Ok(b) => {
                self.mark_settled(&intent, &parent.batch_id).await;
                Ok(b)
            }
            Err(e) => Err(self.failed(&intent, e).await),
        }
    }

    /// What a failed submit or retry means: a definite refusal closes the intent (nobody
    /// was dialled); anything ambiguous leaves it open, to be settled by a lookup.
    async fn failed(&self, intent: &SubmitIntent, e: ElevenLabsError) -> JournalError {
        if e.is_ambiguous() || matches!(e, ElevenLabsError::Decode(_)) {
            tracing::warn!(intent = %intent.id, kind = ?intent.kind, error = %e, "ambiguous answer: intent left open");
            return JournalError::Unknown(e.to_string());
        }
        if let Err(se) = self.store.abandon_intent(intent, &e.to_string()).await {
            tracing::error!(intent = %intent.id, error = %se, "cannot close a refused intent");
        }
        JournalError::Refused(e)
    }

    /// Marks a redial intent settled (its batch's record already exists).
    async fn mark_settled(&self, intent: &SubmitIntent, batch_id: &str) {
        let mut done = intent.clone();
        done.state = IntentState::Settled {
            batch_id: batch_id.to_string(),
        };
        if let Err(e) = self.store.put_intent(&done).await {
            tracing::error!(intent = %intent.id, error = %e, "cannot settle a retry's intent; it is settled by reading the batch back");
        }
    }

    /// Saves the batch's record and settles the intent. A failed save is logged, not
    /// returned: the batch exists, and the open intent is settled by the next lookup.
    async fn record_settled(&self, intent: &SubmitIntent, batch: BatchCallResponse) -> Submitted {
        let mut record = intent.record.clone();
        record.batch_id = batch.id.clone();
        record.intent_id = Some(intent.id.clone());
        record.last_status = Some(batch.status.clone());
        if let Err(e) = self.store.settle_intent(intent, &record).await {
            tracing::error!(batch_id = %batch.id, intent = %intent.id, error = %e, "cannot save a submitted batch; its intent stays open");
        }
        Submitted { record, batch }
    }

    /// Settles the group's pending intents (planned rounds wait for their time). Returns
    /// what each became; the caller must not submit while one is still unknown.
    pub async fn settle_group(&self, group: GroupId) -> Result<Vec<Settlement>, JournalError> {
        let mut out = Vec::new();
        for i in self.store.open_intents_of_group(group).await? {
            if i.state == IntentState::Pending {
                out.push(self.settle(&i).await?);
            }
        }
        Ok(out)
    }

    /// Settles every pending intent (at start-up); returns the batches found.
    pub async fn settle_all(&self) -> Vec<Submitted> {
        let open = match self.store.open_intents().await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the submission journal");
                return Vec::new();
            }
        };
        let mut found = Vec::new();
        for i in open.into_iter().filter(|i| i.state == IntentState::Pending) {
            let _g = match self.lock_group(i.group_id).await {
                Ok(g) => g,
                Err(e) => {
                    tracing::warn!(intent = %i.id, error = %e, "cannot lock the group to settle its intent");
                    continue;
                }
            };
            match self.settle(&i).await {
                Ok(Settlement::Settled(s)) => found.push(*s),
                Ok(other) => tracing::info!(intent = %i.id, ?other, "intent after start-up lookup"),
                Err(e) => tracing::warn!(intent = %i.id, error = %e, "intent not settled yet"),
            }
        }
        found
    }
}

/// Held while one submit or settle for a group runs, in this process and (on a shared
/// store) in every other: see [`Journal::lock_group`].
pub struct GroupLock {
    // Dropped first: the store's lock goes before this process's.
    _shared: crate::store::GroupGuard,
    _local: tokio::sync::OwnedMutexGuard<()>,
}

/// What a new intent needs beyond the record.
pub struct Draft {
    pub kind: IntentKind,
    pub timezone: chrono_tz::Tz,
    pub key: Option<IntentKey>,
    pub parent: Option<String>,
    pub due_unix: Option<i64>,
}

/// A new intent for `record` (its recipients, call name and policies set, no batch id).
/// Its time is the real one (not a test's clock): it is compared with upstream's.
pub fn draft(record: BatchRecord, d: Draft) -> SubmitIntent {
    let now = Utc::now();
    SubmitIntent {
        id: intent::new_intent_id(now),
        kind: d.kind,
        group_id: record.group_id,
        user_id: record.user_id,
        call_name: record.call_name.clone(),
        agent_id: record.agent_id.clone(),
        phones_digest: intent::phones_digest(
            record.recipients.iter().map(|r| r.phone_number.as_str()),
        ),
        phone_count: record.recipients.len(),
        created_at: now,
        due_unix: d.due_unix,
        parent: d.parent,
        key: d.key,
        timezone: d.timezone.name().to_string(),
        retry_count_before: None,
        state: IntentState::Pending,
        record,
    }
}
