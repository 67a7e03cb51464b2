//! The submitting half of a call start: the group must be idle (no active batch, no
//! journal intent left unsettled), then the journal writes the intent, submits and
//! settles; the answer is the seed's.

use serde_json::json;

use super::idempotency::{self as idem, Key};
use super::{Actor, Campaign, journal_error};
use crate::api::{ApiError, ErrorCode};
use crate::api::{Envelope, StartCallData};
use crate::domain::AuditAction;
use crate::domain::Group;
use crate::domain::intent::{IntentKind, IntentState};
use crate::journal::{self, Journal, Settlement, Submitted};

/// Settles the group's open intents, then refuses a start while one is still unknown,
/// or (unless forced) while a batch of the group is running or a round is planned.
pub(super) async fn ensure_idle(
    st: &Campaign,
    journal: &Journal,
    g: &Group,
    force: bool,
) -> Result<(), ApiError> {
    settle_open(
        st,
        journal,
        g.id,
        &format!("Un envío anterior del grupo «{}»", g.name),
    )
    .await?;
    ensure_no_active_batch(st, g, force).await?;
    if !force
        && let Some(planned) = journal
            .store()
            .open_intents_of_group(g.id)
            .await?
            .into_iter()
            .find(|i| i.state == IntentState::Planned)
    {
        return Err(ApiError::conflict(
            ErrorCode::BatchActive,
            format!(
                "El grupo «{}» tiene una ronda programada ({}); espere a que termine o envíe force: true",
                g.name, planned.call_name
            ),
        )
        .with_details(json!({ "batchId": planned.parent })));
    }
    Ok(())
}

/// Settles the group's open intents (a batch found is watched at once); refuses while
/// one is still unknown. `what` names the earlier submission for the supervisor.
pub(super) async fn settle_open(
    st: &Campaign,
    journal: &Journal,
    group: crate::domain::GroupId,
    what: &str,
) -> Result<(), ApiError> {
    let hub = st.hub()?;
    for s in journal.settle_group(group).await.map_err(journal_error)? {
        match s {
            Settlement::Settled(found) => hub.kick(&found.record.batch_id),
            Settlement::Abandoned => {}
            Settlement::Unknown(why) => {
                return Err(ApiError::conflict(
                    ErrorCode::SubmissionUnsettled,
                    format!(
                        "{what} aún no se pudo confirmar en ElevenLabs ({why}); para no marcar dos veces, espere unos segundos y vuelva a intentarlo"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Refuses (unless forced) a start while a batch of the group is not final.
pub(super) async fn ensure_no_active_batch(
    st: &Campaign,
    g: &Group,
    force: bool,
) -> Result<(), ApiError> {
    if force {
        return Ok(());
    }
    if let Some(active) = st
        .store()
        .batches_of_group(g.id)
        .await?
        .into_iter()
        .find(|b| !b.is_done())
    {
        return Err(ApiError::conflict(
            ErrorCode::BatchActive,
            format!(
                "El grupo «{}» ya tiene llamadas en curso (lote {}); espere a que terminen o envíe force: true",
                g.name, active.batch_id
            ),
        )
        .with_details(json!({ "batchId": active.batch_id })));
    }
    Ok(())
}

/// Writes the intent (bound to the key first), submits and settles it.
pub(super) async fn submit(
    st: &Campaign,
    journal: &Journal,
    record: crate::domain::BatchRecord,
    key: Option<&Key>,
) -> Result<Submitted, ApiError> {
    let intent = journal::draft(
        record,
        journal::Draft {
            kind: IntentKind::Start,
            timezone: st.settings().timezone,
            key: key.map(Key::intent_key),
            parent: None,
            due_unix: None,
        },
    );
    if let Some(k) = key {
        idem::bind(st, k, &intent.id).await?;
    }
    journal.submit(intent).await.map_err(journal_error)
}

/// The seed's answer to a start, saved for repeats of its key; the batch's poller is
/// kicked and the start audited.
pub(super) async fn answer(
    st: &Campaign,
    actor: &Actor,
    s: &Submitted,
    message: String,
    key: Option<&Key>,
) -> Result<serde_json::Value, ApiError> {
    let rec = &s.record;
    st.hub()?.kick(&rec.batch_id);
    let data = StartCallData {
        batch_id: rec.batch_id.clone(),
        group_id: rec.group_id,
        group_name: rec.group_name.clone(),
        agent_id: rec.agent_id.clone(),
        recipients_count: rec.recipients.len(),
        call_name: rec.call_name.clone(),
        batch_data: serde_json::to_value(&s.batch).unwrap_or_default(),
        skipped: rec.skipped.clone(),
    };
    st.audit(
        actor,
        AuditAction::BatchStart,
        &rec.batch_id,
        json!({
            "groupId": rec.group_id,
            "recipients": rec.recipients.len(),
            "scheduledTimeUnix": rec.scheduled_time_unix,
            "retryPolicy": rec.retry_policy,
        }),
    )
    .await;
    let body = serde_json::to_value(Envelope::ok(message, data)).map_err(ApiError::internal)?;
    if let Some(k) = key {
        idem::answer(st, k, rec.intent_id.as_deref(), &body).await;
    }
    tracing::info!(batch_id = %rec.batch_id, group_id = rec.group_id, recipients = rec.recipients.len(), "batch started");
    Ok(body)
}

/// The answer's message for a batch found by a lookup (its first answer was lost).
pub(super) fn settled_message(st: &Campaign, rec: &crate::domain::BatchRecord) -> String {
    match rec
        .scheduled_time_unix
        .filter(|t| *t > st.now().timestamp())
    {
        Some(t) => format!(
            "Llamadas programadas para el grupo \"{}\" el {}",
            rec.group_name,
            st.local(t)
        ),
        None => format!(
            "Llamadas iniciadas exitosamente para el grupo \"{}\"",
            rec.group_name
        ),
    }
}
