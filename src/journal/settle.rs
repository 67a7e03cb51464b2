//! Settling an open intent: find its batch upstream by what ElevenLabs echoes (call
//! name, agent, created since shortly before the intent, not a batch we already hold,
//! and the same set of phones), or decide that nothing was created.

use futures::{StreamExt, pin_mut};

use super::{Journal, JournalError, Submitted};
use crate::domain::intent::{self, SubmitIntent};
use crate::elevenlabs::{BatchCallResponse, ElevenLabsError};

/// What an open intent turned out to be.
#[derive(Debug)]
pub enum Settlement {
    /// Its batch exists upstream; the record is saved.
    Settled(Box<Submitted>),
    /// Nothing was created: its submit may be made afresh.
    Abandoned,
    /// Cannot tell yet (upstream did not answer, or the batch may still appear).
    Unknown(String),
}

impl Journal {
    /// Looks for the intent's batch upstream and records what it found.
    pub async fn settle(&self, i: &SubmitIntent) -> Result<Settlement, JournalError> {
        // Settled meanwhile (by another request of this process)?
        if let Some(fresh) = self.store.intent(&i.id).await?
            && !fresh.is_open()
        {
            return Ok(match fresh.settled_batch() {
                Some(id) => match self.store.batch(id).await? {
                    Some(record) => Settlement::Settled(Box::new(Submitted {
                        batch: settled_view(&record),
                        record,
                    })),
                    None => Settlement::Unknown("registro del lote ausente".into()),
                },
                None => Settlement::Abandoned,
            });
        }
        if i.kind == crate::domain::intent::IntentKind::Redial {
            return self.settle_redial(i).await;
        }
        match self.find(i).await {
            Ok(Some(batch)) => {
                tracing::info!(intent = %i.id, batch_id = %batch.id, "open intent found upstream: settled");
                Ok(Settlement::Settled(Box::new(
                    self.record_settled(i, batch).await,
                )))
            }
            Ok(None) => {
                let age = chrono::Utc::now() - i.created_at;
                if age.to_std().unwrap_or_default() < self.grace {
                    return Ok(Settlement::Unknown(
                        "el lote aún no aparece en ElevenLabs".into(),
                    ));
                }
                tracing::info!(intent = %i.id, "open intent not found upstream: abandoned");
                self.store
                    .abandon_intent(i, "no se encontró en ElevenLabs")
                    .await?;
                Ok(Settlement::Abandoned)
            }
            Err(e) => Ok(Settlement::Unknown(e.to_string())),
        }
    }

    /// A retry took effect when the batch's `retry_count` grew past what it was before.
    async fn settle_redial(&self, i: &SubmitIntent) -> Result<Settlement, JournalError> {
        let Some(parent) = i.parent.as_deref() else {
            self.store.abandon_intent(i, "sin lote").await?;
            return Ok(Settlement::Abandoned);
        };
        let now = match self.client.get_batch(parent).await {
            Ok(d) => d.batch,
            Err(e) => return Ok(Settlement::Unknown(e.to_string())),
        };
        if now.retry_count > i.retry_count_before.unwrap_or(0) {
            self.mark_settled(i, parent).await;
            return Ok(match self.store.batch(parent).await? {
                Some(record) => Settlement::Settled(Box::new(Submitted { record, batch: now })),
                None => Settlement::Unknown("registro del lote ausente".into()),
            });
        }
        let age = chrono::Utc::now() - i.created_at;
        if age.to_std().unwrap_or_default() < self.grace {
            return Ok(Settlement::Unknown(
                "el reintento aún no aparece en ElevenLabs".into(),
            ));
        }
        self.store
            .abandon_intent(i, "el reintento no llegó a ElevenLabs")
            .await?;
        Ok(Settlement::Abandoned)
    }

    /// The intent's batch in the workspace list, checked recipient by recipient.
    async fn find(&self, i: &SubmitIntent) -> Result<Option<BatchCallResponse>, ElevenLabsError> {
        let known = self
            .store
            .batch_ids()
            .await
            .map_err(|e| ElevenLabsError::Decode(e.to_string()))?;
        let policy = self.client.retry_policy();
        let since = i.created_at.timestamp() - policy.submit_lookup_window.as_secs() as i64;
        let max_items = policy.submit_lookup_pages.max(1) * 100;
        let mut candidates = Vec::new();
        {
            let stream = self.client.list_batches().take(max_items);
            pin_mut!(stream);
            while let Some(item) = stream.next().await {
                let b = item?;
                if b.name == i.call_name
                    && b.agent_id == i.agent_id
                    && b.created_at_unix >= since
                    && !known.contains(&b.id)
                {
                    candidates.push(b);
                }
            }
        }
        for c in candidates {
            let detail = self.client.get_batch(&c.id).await?;
            let digest = intent::phones_digest(
                detail
                    .recipients
                    .iter()
                    .filter_map(|r| r.phone_number.as_deref()),
            );
            if digest == i.phones_digest {
                return Ok(Some(detail.batch));
            }
        }
        Ok(None)
    }
}

/// What a call start answers for a batch settled earlier (no upstream answer at hand).
fn settled_view(r: &crate::domain::BatchRecord) -> BatchCallResponse {
    let status = r
        .last_status
        .clone()
        .unwrap_or(crate::domain::BatchStatus::Pending);
    let v = serde_json::json!({
        "id": r.batch_id,
        "name": r.call_name,
        "agent_id": r.agent_id,
        "created_at_unix": r.created_at.timestamp(),
        "scheduled_time_unix": r.scheduled_time_unix.unwrap_or_default(),
        "total_calls_scheduled": r.recipients.len(),
        "status": status,
    });
    serde_json::from_value(v).unwrap_or_else(|_| unreachable_view(r))
}

fn unreachable_view(r: &crate::domain::BatchRecord) -> BatchCallResponse {
    // Only the id is certain; every other field has a default.
    serde_json::from_value(serde_json::json!({ "id": r.batch_id }))
        .expect("a batch answer with only an id parses")
}
