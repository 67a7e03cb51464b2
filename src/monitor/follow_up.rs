//! The campaign policies a batch's poller applies beyond watching it:
//!
//! - **Calling windows.** A batch still dialling when the window closes is cancelled at
//!   the close (calls in progress end normally); once it is final, the recipients it never
//!   dialled are resubmitted as a new batch scheduled for the next opening.
//! - **Automatic retries.** When a batch ends, the recipients whose outcome the policy
//!   re-dials (and who have attempts left) go into a new batch, spaced from the last call
//!   and inside the window.
//!
//! Continuations are new batches because upstream `/retry` cannot choose whom it re-dials.
//! They are linked both ways in the store and submitted once: a marker is saved before
//! the submit, and after a crash the marker leads to a lookup, never a second submit.
//! Everything that re-dials a batch holds its redial lock, so a manual retry and a
//! continuation never both happen.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use super::{Entry, Hub, Inner, PollError};
use crate::api::BatchStatusView;
use crate::domain::policy::{RetryDecision, retry_round_at};
use crate::domain::{
    BatchRecord, FollowUpKind, FollowUpLink, PendingFollowUp, RecipientStatus, StopReason,
    SubmittedRecipient,
};
use crate::elevenlabs::ElevenLabsError;

/// Stop code of a batch cancelled at the window's close.
pub const WINDOW_CLOSED: &str = "window_closed";
/// Stop code of a batch stopped by the circuit breaker.
pub const CIRCUIT_BREAKER: &str = "circuit_breaker";

/// A finished batch whose policies still have work (for resuming after a restart).
pub(super) fn pending(r: &BatchRecord) -> bool {
    r.follow_up_open()
        && (r.pending_follow_up.is_some()
            || r.retry_policy.is_some()
            || r.stop_reason
                .as_ref()
                .is_some_and(|s| s.code == WINDOW_CLOSED))
}

/// What applying the policies did.
#[derive(Debug, PartialEq)]
pub(super) enum Applied {
    Nothing,
    /// The record changed: rebuild the view from it.
    Changed,
    /// A continuation could not be submitted yet; keep polling and try again.
    Blocked,
}

/// Applies the calling window and, once the batch is final, the continuation policies.
pub(super) async fn apply(
    hub: &Arc<Inner>,
    entry: &Entry,
    rec: &mut BatchRecord,
    view: &BatchStatusView,
) -> Applied {
    if !view.status.is_final() {
        return close_window(hub, entry, rec, view).await;
    }
    if !rec.follow_up_open() {
        return Applied::Nothing;
    }
    let lock = hub.redial_lock(&rec.batch_id);
    let _guard = lock.lock().await;
    // A manual retry may have re-dialled the batch since this view was taken: then the
    // view is stale and the next poll decides.
    match hub.store.batch(&rec.batch_id) {
        Ok(Some(fresh)) if fresh.retried != rec.retried => {
            *rec = fresh;
            return Applied::Changed;
        }
        Ok(Some(fresh)) => {
            // The stored status may lag behind this poll's; what is saved carries this one.
            *rec = BatchRecord {
                last_status: Some(view.status.clone()),
                ..fresh
            };
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(batch_id = %rec.batch_id, error = %e, "registro ilegible; se reintentará");
            return Applied::Blocked;
        }
    }
    if !rec.follow_up_open() {
        return Applied::Changed;
    }
    let now = hub.cfg.clock.now();
    let Some(plan) = plan(hub, rec, view, now) else {
        rec.follow_up_done = true;
        save(hub, rec);
        return Applied::Changed;
    };
    match submit(hub, rec, plan, "system").await {
        Ok(_) => Applied::Changed,
        Err(e) => {
            let _ = entry.errors.send(e);
            if rec.follow_up_open() {
                Applied::Blocked
            } else {
                Applied::Changed
            }
        }
    }
}

/// A continuation to submit.
pub(super) struct Plan {
    kind: FollowUpKind,
    recipients: Vec<SubmittedRecipient>,
    scheduled: Option<DateTime<Utc>>,
}

/// What the policies ask for a final batch; None when nothing is to be dialled again.
fn plan(
    hub: &Inner,
    rec: &BatchRecord,
    view: &BatchStatusView,
    now: DateTime<Utc>,
) -> Option<Plan> {
    match &rec.stop_reason {
        Some(s) if s.code == WINDOW_CLOSED => resume_plan(hub, rec, view, now),
        // Stopped by the breaker or cancelled by a person: a person decides what next.
        Some(_) => None,
        None if view.status == crate::domain::BatchStatus::Cancelled => None,
        None => retry_plan(hub, rec, view, now),
    }
}

/// What a stopped batch never dialled, at the next opening (at once when open).
fn resume_plan(
    hub: &Inner,
    rec: &BatchRecord,
    view: &BatchStatusView,
    now: DateTime<Utc>,
) -> Option<Plan> {
    let recipients = undialled(rec, view);
    (!recipients.is_empty()).then(|| Plan {
        kind: FollowUpKind::Resume,
        recipients,
        scheduled: hub
            .cfg
            .rules
            .as_ref()
            .and_then(|r| r.next_opening(now))
            .and_then(|t| later(t, now)),
    })
}

/// `at` as a scheduled start, or None (dial at once) when it is about now.
fn later(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (at > now + Duration::seconds(30)).then_some(at)
}

fn retry_plan(
    hub: &Inner,
    rec: &BatchRecord,
    view: &BatchStatusView,
    now: DateTime<Utc>,
) -> Option<Plan> {
    let policy = rec.retry_policy.as_ref()?;
    let outcomes = super::view::outcomes(view);
    let RetryDecision::At { unix, .. } = policy.decide(&outcomes) else {
        return None;
    };
    let due: Vec<&crate::api::RecipientView> = view
        .recipients
        .iter()
        .filter(|r| policy.outcomes.contains(&r.status) && r.attempts < policy.max_attempts)
        .collect();
    let voicemail = due.iter().any(|r| r.status == RecipientStatus::Voicemail);
    let at = retry_round_at(unix, voicemail, hub.cfg.rules.as_ref(), now);
    let by_phone = sent_by_phone(rec);
    Some(Plan {
        kind: FollowUpKind::Retry,
        recipients: due
            .iter()
            .map(|r| resubmitted(&by_phone, r, r.attempts))
            .collect(),
        scheduled: later(at, now),
    })
}

fn sent_by_phone(rec: &BatchRecord) -> HashMap<&str, &SubmittedRecipient> {
    rec.recipients
        .iter()
        .map(|s| (s.phone_number.as_str(), s))
        .collect()
}

fn resubmitted(
    by_phone: &HashMap<&str, &SubmittedRecipient>,
    r: &crate::api::RecipientView,
    prior_attempts: u32,
) -> SubmittedRecipient {
    match by_phone.get(r.phone_number.as_str()) {
        Some(s) => SubmittedRecipient {
            prior_attempts,
            ..(*s).clone()
        },
        None => SubmittedRecipient {
            client_id: 0,
            name: r.name.clone().unwrap_or_default(),
            phone_number: r.phone_number.clone(),
            variables: r.variables.clone(),
            prior_attempts,
        },
    }
}

/// Recipients the batch never dialled: still queued, or cancelled before their call.
pub(super) fn undialled(rec: &BatchRecord, view: &BatchStatusView) -> Vec<SubmittedRecipient> {
    let by_phone = sent_by_phone(rec);
    view.recipients
        .iter()
        .filter(|r| r.never_dialled())
        .map(|r| resubmitted(&by_phone, r, r.attempts))
        .collect()
}

/// Cancels a batch that is dialling while the calling window is closed.
async fn close_window(
    hub: &Arc<Inner>,
    entry: &Entry,
    rec: &mut BatchRecord,
    view: &BatchStatusView,
) -> Applied {
    let Some(rules) = &hub.cfg.rules else {
        return Applied::Nothing;
    };
    let now = hub.cfg.clock.now();
    let starts = rec
        .scheduled_time_unix
        .unwrap_or_else(|| rec.created_at.timestamp());
    if rec.stop_reason.is_some() || starts > now.timestamp() || rules.is_open(now) {
        return Applied::Nothing;
    }
    let batch_id = rec.batch_id.clone();
    if let Err(e) = hub.client.cancel_batch(&batch_id).await {
        tracing::warn!(%batch_id, error = %e, "no se pudo cancelar al cierre de la ventana");
        let mut pe = PollError::from_upstream(&e);
        pe.message = format!(
            "La ventana de llamadas cerró y no se pudo detener el lote: {}",
            pe.message
        );
        pe.fatal = false;
        let _ = entry.errors.send(pe);
        return Applied::Blocked;
    }
    let pending = view
        .recipients
        .iter()
        .filter(|r| r.status.is_not_started())
        .count();
    let why = rules.closed_reason(now).unwrap_or_default();
    let resume = rules
        .next_opening(now)
        .map(|t| {
            t.with_timezone(&hub.cfg.timezone)
                .format("el %d/%m/%Y a las %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "en la próxima apertura".into());
    let message = format!(
        "Cerrado por horario ({why}): las llamadas en curso terminan y los {pending} destinatarios sin marcar se reanudan {resume}"
    );
    rec.stop_reason = Some(StopReason {
        code: WINDOW_CLOSED.into(),
        message: message.clone(),
        at_unix: now.timestamp(),
    });
    save(hub, rec);
    let _ = entry.errors.send(PollError {
        message,
        code: WINDOW_CLOSED.into(),
        status: None,
        retry_after: None,
        fatal: false,
    });
    hub.store.record_action(
        "system",
        "batch.window_closed",
        &batch_id,
        serde_json::json!({ "pending": pending }),
    );
    Applied::Changed
}

/// Submits a continuation of `rec` exactly once and links both records. People who opted
/// out since are left out; None when nobody is left.
pub(super) async fn submit(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
    mut plan: Plan,
    actor: &str,
) -> Result<Option<FollowUpLink>, PollError> {
    let mut kept = Vec::with_capacity(plan.recipients.len());
    for r in plan.recipients {
        match hub.store.optout(&r.phone_number) {
            Ok(None) => kept.push(r),
            Ok(Some(_)) => {
                tracing::info!(batch_id = %rec.batch_id, "destinatario en la lista de no llamar: no se reenvía");
            }
            // Never dial without knowing the do-not-call list.
            Err(e) => return Err(store_error(&e.to_string())),
        }
    }
    plan.recipients = kept;
    if plan.recipients.is_empty() {
        rec.follow_up_done = true;
        save(hub, rec);
        return Ok(None);
    }
    let base = rec
        .call_name
        .split(" · ")
        .next()
        .unwrap_or(&rec.call_name)
        .to_string();
    let round = rec.retry_round + u32::from(plan.kind == FollowUpKind::Retry);
    let call_name = match plan.kind {
        FollowUpKind::Retry => format!("{base} · reintento {round}"),
        FollowUpKind::Resume => format!(
            "{base} · reanudación {}",
            hub.cfg
                .clock
                .now()
                .with_timezone(&hub.cfg.timezone)
                .format("%d/%m %H:%M")
        ),
    };
    let scheduled_time_unix = plan.scheduled.map(|t| t.timestamp());
    let known = hub.store.batch_ids().unwrap_or_default();
    // A marker from a run that stopped mid-submit: look before submitting again.
    let earlier = rec
        .pending_follow_up
        .clone()
        .filter(|p| p.kind == plan.kind);
    let call_name = earlier.as_ref().map_or(call_name, |p| p.call_name.clone());
    let request = crate::submission::submit_request(
        &plan.recipients,
        call_name.clone(),
        &rec.agent_id,
        &rec.phone_number_id,
        scheduled_time_unix,
        hub.cfg.timezone,
    );
    if earlier.is_some()
        && let Some(link) = saved_continuation(hub, rec)
    {
        // The continuation's record was saved, this one's link was not.
        return Ok(Some(link));
    }
    // By name only: the people may have changed since (an opt-out), the name has not.
    let found = match &earlier {
        Some(p) => hub
            .client
            .find_named(&p.call_name, &rec.agent_id, p.since_unix, &known)
            .await
            .map_err(|e| failed(&e))?,
        None => None,
    };
    let batch = match found {
        Some(b) => b,
        None => {
            rec.pending_follow_up = Some(PendingFollowUp {
                kind: plan.kind,
                call_name: call_name.clone(),
                since_unix: Utc::now().timestamp() - 60,
            });
            if let Err(e) = hub.store.put_batch(rec) {
                // Without the marker a crash could lead to a second submit: don't submit.
                tracing::error!(batch_id = %rec.batch_id, error = %e, "no se pudo guardar la marca de continuación");
                return Err(store_error(&e.to_string()));
            }
            match hub.client.submit_batch_excluding(&request, &known).await {
                Ok(b) => b,
                Err(e) if e.is_ambiguous() || e.is_rate_limited() => return Err(failed(&e)),
                Err(e) => {
                    // Refused for good (bad number, agent gone): say so once and stop.
                    rec.pending_follow_up = None;
                    rec.follow_up_done = true;
                    save(hub, rec);
                    hub.store.record_action(
                        actor,
                        "batch.follow_up_failed",
                        &rec.batch_id,
                        serde_json::json!({ "error": e.to_string() }),
                    );
                    return Err(failed(&e));
                }
            }
        }
    };
    let next = BatchRecord {
        batch_id: batch.id.clone(),
        group_id: rec.group_id,
        group_name: rec.group_name.clone(),
        user_id: rec.user_id,
        agent_id: rec.agent_id.clone(),
        phone_number_id: rec.phone_number_id.clone(),
        call_name,
        created_at: hub.cfg.clock.now(),
        scheduled_time_unix,
        recipients: plan.recipients,
        skipped: Vec::new(),
        last_status: Some(batch.status.clone()),
        retry_policy: rec.retry_policy.clone(),
        continues: Some(rec.batch_id.clone()),
        follow_up_kind: Some(plan.kind),
        retry_round: round,
        ..Default::default()
    };
    if let Err(e) = hub.store.put_batch(&next) {
        tracing::error!(batch_id = %next.batch_id, error = %e, "no se pudo guardar la continuación");
    }
    let link = FollowUpLink {
        batch_id: batch.id.clone(),
        kind: plan.kind,
        scheduled_time_unix,
        recipients: next.recipients.len(),
    };
    rec.continued_by = Some(link.clone());
    rec.pending_follow_up = None;
    rec.follow_up_done = true;
    save(hub, rec);
    let action = match plan.kind {
        FollowUpKind::Retry => "batch.auto_retry",
        FollowUpKind::Resume => "batch.resume",
    };
    hub.store.record_action(
        actor,
        action,
        &batch.id,
        serde_json::json!({
            "from": rec.batch_id,
            "recipients": next.recipients.len(),
            "scheduledTimeUnix": scheduled_time_unix,
            "round": round,
        }),
    );
    tracing::info!(from = %rec.batch_id, batch_id = %batch.id, recipients = next.recipients.len(), action, "continuación enviada");
    Hub(hub.clone()).kick(&batch.id);
    Ok(Some(link))
}

fn store_error(e: &str) -> PollError {
    PollError {
        message: format!("No se pudo preparar la continuación del lote: {e}"),
        code: "store_error".into(),
        status: None,
        retry_after: None,
        fatal: false,
    }
}

/// A continuation of `rec` already in the store (saved just before a crash that left this
/// record unlinked): links it and returns the link.
fn saved_continuation(hub: &Inner, rec: &mut BatchRecord) -> Option<FollowUpLink> {
    let head = hub
        .store
        .batch_heads()
        .ok()?
        .into_iter()
        .find(|h| h.continues.as_deref() == Some(rec.batch_id.as_str()))?;
    let next = hub.store.batch(&head.batch_id).ok()??;
    let link = FollowUpLink {
        batch_id: next.batch_id.clone(),
        kind: next.follow_up_kind.unwrap_or(FollowUpKind::Retry),
        scheduled_time_unix: next.scheduled_time_unix,
        recipients: next.recipients.len(),
    };
    rec.continued_by = Some(link.clone());
    rec.pending_follow_up = None;
    rec.follow_up_done = true;
    save(hub, rec);
    Some(link)
}

/// Resubmits now what a stopped (cancelled) batch never dialled, for a supervisor.
pub(super) async fn resume_now(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
    view: &BatchStatusView,
    actor: &str,
) -> Result<Option<FollowUpLink>, PollError> {
    match resume_plan(hub, rec, view, hub.cfg.clock.now()) {
        Some(plan) => submit(hub, rec, plan, actor).await,
        None => Ok(None),
    }
}

fn failed(e: &ElevenLabsError) -> PollError {
    let mut pe = PollError::from_upstream(e);
    pe.message = format!("No se pudo enviar la continuación del lote: {}", pe.message);
    pe.code = "follow_up_failed".into();
    pe.fatal = false;
    pe
}

fn save(hub: &Inner, rec: &BatchRecord) {
    if let Err(e) = hub.store.put_batch(rec) {
        tracing::error!(batch_id = %rec.batch_id, error = %e, "no se pudo guardar el registro del batch");
    }
}
