//! Linking a continuation to the batch it continues (both records, the audit log, its
//! poller), submitting an intent through the journal, leaving out opted-out numbers,
//! and the supervisor-facing errors of continuations.

use std::sync::Arc;

use super::error::PollError;
use super::state::Inner;
use crate::api::ErrorCode;
use crate::domain::intent::SubmitIntent;
use crate::domain::{AuditAction, BatchRecord, FollowUpKind, FollowUpLink, SubmittedRecipient};
use crate::elevenlabs::ElevenLabsError;
use crate::journal::JournalError;

/// Submits an intent now and links its batch to `parent`.
pub(super) async fn submit_intent(
    hub: &Arc<Inner>,
    parent: &mut BatchRecord,
    intent: SubmitIntent,
    actor: &str,
) -> Result<FollowUpLink, PollError> {
    match hub.journal.submit(intent).await {
        Ok(s) => Ok(link(hub, parent, &s.record, actor).await),
        Err(JournalError::Unknown(why)) => Err(unknown(&why)),
        Err(JournalError::Refused(e)) => {
            // Refused for good (bad number, agent gone): say so once and stop.
            parent.pending_follow_up = None;
            parent.follow_up_done = true;
            save(hub, parent).await;
            hub.store
                .record_action(
                    actor,
                    AuditAction::BatchFollowUpFailed,
                    &parent.batch_id,
                    serde_json::json!({ "error": e.to_string() }),
                )
                .await;
            Err(failed(&e))
        }
        Err(JournalError::Store(e)) => Err(store_error(&e.to_string())),
    }
}

/// Records in `rec` that `next` continues it, and saves it.
pub(super) async fn record_link(
    hub: &Inner,
    rec: &mut BatchRecord,
    next: &BatchRecord,
) -> FollowUpLink {
    let link = FollowUpLink {
        batch_id: next.batch_id.clone(),
        kind: next.follow_up_kind.unwrap_or(FollowUpKind::Retry),
        scheduled_time_unix: next.scheduled_time_unix,
        recipients: next.recipients.len(),
    };
    rec.continued_by = Some(link.clone());
    rec.pending_follow_up = None;
    rec.follow_up_done = true;
    save(hub, rec).await;
    link
}

/// Leaves out the numbers on the do-not-call list; never dials without knowing it.
pub(super) async fn without_optouts(
    hub: &Inner,
    batch_id: &str,
    recipients: Vec<SubmittedRecipient>,
) -> Result<Vec<SubmittedRecipient>, PollError> {
    let mut kept = Vec::with_capacity(recipients.len());
    for r in recipients {
        match hub.store.optout(&r.phone_number).await {
            Ok(None) => kept.push(r),
            Ok(Some(_)) => {
                tracing::info!(%batch_id, "recipient on the do-not-call list: not resubmitted");
            }
            Err(e) => return Err(store_error(&e.to_string())),
        }
    }
    Ok(kept)
}

/// Links a settled continuation to the batch it continues, audits it and starts its
/// poller.
pub(super) async fn link(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
    next: &BatchRecord,
    actor: &str,
) -> FollowUpLink {
    let link = record_link(hub, rec, next).await;
    let action = match link.kind {
        FollowUpKind::Retry => AuditAction::BatchAutoRetry,
        FollowUpKind::Resume => AuditAction::BatchResume,
    };
    hub.store
        .record_action(
            actor,
            action,
            &next.batch_id,
            serde_json::json!({
                "from": rec.batch_id,
                "recipients": next.recipients.len(),
                "scheduledTimeUnix": next.scheduled_time_unix,
                "round": next.retry_round,
            }),
        )
        .await;
    tracing::info!(from = %rec.batch_id, batch_id = %next.batch_id, recipients = next.recipients.len(), action = %action, "continuation submitted");
    hub.kick(&next.batch_id);
    link
}

pub(super) fn unknown(why: &str) -> PollError {
    PollError {
        message: format!(
            "No se pudo confirmar el envío de la continuación del lote ({why}); se comprobará antes de reenviar"
        ),
        code: ErrorCode::FollowUpUnknown,
        status: None,
        retry_after: None,
        fatal: false,
    }
}

pub(super) fn store_error(e: &str) -> PollError {
    PollError {
        message: format!("No se pudo preparar la continuación del lote: {e}"),
        code: ErrorCode::StoreError,
        status: None,
        retry_after: None,
        fatal: false,
    }
}

/// Another submission for the group is not settled yet: nothing goes until it is.
pub(super) fn unsettled(why: &str) -> PollError {
    PollError {
        message: format!(
            "La continuación espera: otro envío del grupo aún no se pudo confirmar en ElevenLabs ({why})"
        ),
        code: ErrorCode::SubmissionUnsettled,
        status: None,
        retry_after: None,
        fatal: false,
    }
}

/// Settles the group's other pending submissions (a call start or retry whose answer was
/// lost) before a round of the monitor submits: the journal's rule, one unsettled
/// submission per group at most.
pub(super) async fn settle_others(
    hub: &Inner,
    group: crate::domain::GroupId,
) -> Result<(), PollError> {
    let settled = hub
        .journal
        .settle_group(group)
        .await
        .map_err(|e| store_error(&e.to_string()))?;
    for s in settled {
        if let crate::journal::Settlement::Unknown(why) = s {
            return Err(unsettled(&why));
        }
    }
    Ok(())
}

pub(super) fn failed(e: &ElevenLabsError) -> PollError {
    let mut pe = PollError::from_upstream(e);
    pe.message = format!("No se pudo enviar la continuación del lote: {}", pe.message);
    pe.code = ErrorCode::FollowUpFailed;
    pe.fatal = false;
    pe
}

pub(super) async fn save(hub: &Inner, rec: &BatchRecord) {
    if let Err(e) = hub.store.put_batch(rec).await {
        tracing::error!(batch_id = %rec.batch_id, error = %e, "cannot save the batch record");
    }
}
