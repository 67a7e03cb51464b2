//! Retrying a finished batch (`POST /api/batch-calls/:id/retry`): the failed and voicemail calls of a finished batch,
//! dialled again through the journal (written before it is sent, read back by the batch's
//! `retry_count` after a lost answer), never together with the batch's automatic round or
//! another submit for its group.

use super::{Actor, Campaign, Outcome, journal_error};
use crate::api::{ApiError, ErrorCode, RetryData, check_batch_id};
use crate::domain::{AuditAction, BatchRecord, BatchStatus};
use crate::elevenlabs::{BatchCallResponse, BatchRecipientResponse};
use crate::monitor::Hub;

impl Campaign {
    /// Dials the failed and voicemail calls of the finished batch `id` again.
    pub async fn retry(&self, actor: &Actor, id: &str) -> Result<Outcome<RetryData>, ApiError> {
        let data = retry(self, actor, id).await?;
        Ok(Outcome::new("Batch call reintentado exitosamente", data))
    }
}

async fn retry(st: &Campaign, actor: &Actor, id: &str) -> Result<RetryData, ApiError> {
    check_batch_id(id)?;
    let hub = st.hub()?;
    // Never together with the poller's continuation of this batch (automatic retry).
    let lock = hub.redial_lock(id);
    let _guard = lock.lock().await;
    // Nor together with a submit for its group; an earlier retry whose answer was lost
    // is settled first (read back), never sent again.
    let group = st.store().batch(id).await?.map(|r| r.group_id);
    let _group_guard = match group {
        Some(g) => Some(hub.journal().lock_group(g).await?),
        None => None,
    };
    if let Some(g) = group {
        super::submit::settle_open(
            st,
            hub.journal(),
            g,
            "Un envío o reintento anterior de este grupo",
        )
        .await?;
    }
    let super::current::Current {
        hub,
        recipients,
        status,
        retry_count,
    } = st.current(actor, id).await?;
    let mut record = st.store().batch(id).await?;
    refuse_unless_retryable(status, record.as_ref())?;
    let retryable: Vec<_> = recipients
        .iter()
        .filter(|r| r.status.is_retryable())
        .collect();
    if retryable.is_empty() {
        return Err(ApiError::conflict(
            ErrorCode::NothingToRetry,
            "No hay llamadas fallidas ni con buzón de voz para reintentar",
        ));
    }
    let finished_before = recipients.iter().filter(|r| r.status.is_final()).count();
    let sent = send(st, hub, id, record.as_ref(), retry_count).await?;
    // Who ElevenLabs re-dials is its choice (voicemail may not be): count what it reports.
    let redialled = match hub.client().get_batch(id).await {
        Ok(after) => redialled(&retryable, &after.recipients),
        Err(e) => {
            tracing::warn!(batch_id = %id, error = %e, "cannot read the batch after its retry; counting by its counters");
            let now = sent.total_calls_finished as usize;
            let n = finished_before.saturating_sub(now).min(retryable.len());
            retryable.iter().take(n).copied().collect()
        }
    };
    let retried = redialled.len();
    remember(st, id, record.as_mut(), &redialled).await?;
    hub.kick(id);
    st.audit(
        actor,
        AuditAction::BatchRetry,
        id,
        serde_json::json!({ "retried": retried }),
    )
    .await;
    Ok(RetryData {
        batch_id: id.to_string(),
        retried_count: retried,
        status: "retrying".into(),
    })
}

/// A batch is retried only when it ended by itself, nothing continues it and no
/// automatic round is being sent for it.
fn refuse_unless_retryable(
    status: BatchStatus,
    record: Option<&BatchRecord>,
) -> Result<(), ApiError> {
    if status == BatchStatus::Cancelled {
        return Err(ApiError::conflict(
            ErrorCode::BatchCancelled,
            "El lote fue cancelado; inicie un lote nuevo en lugar de reintentar",
        ));
    }
    if !status.is_final() {
        return Err(ApiError::conflict(
            ErrorCode::BatchInProgress,
            "El lote sigue en curso; espere a que termine para reintentar las llamadas fallidas",
        ));
    }
    if let Some(next) = record.and_then(|r| r.continued_by.as_ref().map(|c| c.batch_id.clone())) {
        return Err(ApiError::conflict(
            ErrorCode::BatchContinued,
            format!("Los destinatarios de este lote ya continúan en el lote {next}; reintente ese"),
        )
        .with_details(serde_json::json!({ "batchId": next })));
    }
    if record.is_some_and(|r| r.pending_follow_up.is_some()) {
        return Err(ApiError::conflict(
            ErrorCode::FollowUpPending,
            "Se está enviando el reintento automático de este lote; espere un momento",
        ));
    }
    Ok(())
}

/// Sends the retry: through the journal for our batches, straight for the workspace's.
async fn send(
    st: &Campaign,
    hub: &Hub,
    id: &str,
    record: Option<&BatchRecord>,
    retry_count: u32,
) -> Result<BatchCallResponse, ApiError> {
    match record {
        Some(rec) => hub
            .journal()
            .redial(rec, retry_count, st.settings().timezone)
            .await
            .map_err(journal_error),
        None => hub
            .client()
            .retry_batch(id)
            .await
            .map_err(|e| ApiError::from_upstream(&e)),
    }
}

/// The recipients the retry put back in line, as ElevenLabs reports the batch after it: a
/// new status or a new conversation (a fast call may already have ended again).
fn redialled<'a>(
    before: &[&'a BatchRecipientResponse],
    after: &[BatchRecipientResponse],
) -> Vec<&'a BatchRecipientResponse> {
    let key = |r: &BatchRecipientResponse| match r.id.is_empty() {
        false => r.id.clone(),
        true => r.phone_number.clone().unwrap_or_default(),
    };
    let now: std::collections::HashMap<String, &BatchRecipientResponse> =
        after.iter().map(|r| (key(r), r)).collect();
    before
        .iter()
        .filter(|b| {
            now.get(&key(b))
                .is_some_and(|a| a.status != b.status || a.conversation_id != b.conversation_id)
        })
        .copied()
        .collect()
}

/// Records what each re-dialled recipient had, so their attempts count this round once a
/// new call shows up; the policies look at the batch again when it ends.
async fn remember(
    st: &Campaign,
    id: &str,
    record: Option<&mut BatchRecord>,
    retryable: &[&BatchRecipientResponse],
) -> Result<(), ApiError> {
    match record {
        Some(rec) => {
            for r in retryable {
                if let Some(phone) = &r.phone_number {
                    rec.retried
                        .entry(phone.clone())
                        .or_default()
                        .push(r.conversation_id.clone().unwrap_or_default());
                }
            }
            rec.last_status = Some(BatchStatus::InProgress);
            rec.follow_up_done = false;
            st.store().put_batch(rec).await?;
        }
        None => {
            let _ = st
                .store()
                .set_batch_status(id, &BatchStatus::InProgress)
                .await;
        }
    }
    Ok(())
}
