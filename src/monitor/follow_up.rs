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

use crate::api::ErrorCode;
use crate::domain::AuditAction;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use super::{Entry, Hub, Inner, PollError};
use crate::api::BatchStatusView;
use crate::domain::StopCode;
use crate::domain::intent::{IntentKind, IntentState, SubmitIntent};
use crate::domain::policy::{RetryDecision, retry_round_at};
use crate::domain::{
    BatchRecord, FollowUpKind, FollowUpLink, PendingFollowUp, RecipientStatus, SubmittedRecipient,
};
use crate::elevenlabs::ElevenLabsError;
use crate::journal::{JournalError, Settlement};

/// Stop codes (see [`StopReason`]).

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
    // Continuations wait for the last live call, and for a stop to be confirmed.
    let live = view.recipients.iter().any(|r| !r.status.is_final());
    let stopping = rec.stop_reason.as_ref().is_some_and(|s| s.pending);
    if !rec.follow_up_open() || live || stopping {
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
        Some(s) if s.code == StopCode::WindowClosed => resume_plan(hub, rec, view, now),
        Some(s) if s.code == StopCode::OptOut => replace_plan(hub, rec, view, now),
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

/// An opt-out replacement: the undialled, when the replaced batch would have dialled
/// them (its scheduled time if still ahead), inside the window.
fn replace_plan(
    hub: &Inner,
    rec: &BatchRecord,
    view: &BatchStatusView,
    now: DateTime<Utc>,
) -> Option<Plan> {
    let mut plan = resume_plan(hub, rec, view, now)?;
    let wanted = rec
        .scheduled_time_unix
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .and_then(|t| later(t, now));
    plan.scheduled = match (plan.scheduled, wanted) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Some(plan)
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
    // "Spaced from the last call" is on upstream's clock; a clock ahead of ours (a
    // simulator running faster) is brought back to ours.
    let upstream_now = view
        .recipients
        .iter()
        .map(|r| r.updated_at_unix)
        .max()
        .unwrap_or_default()
        .max(view.last_updated_at_unix);
    let ahead = (upstream_now - now.timestamp()).max(0);
    let at = retry_round_at(unix - ahead, voicemail, hub.cfg.rules.as_ref(), now);
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
    // "Stopping" until ElevenLabs confirms the cancel (the poller pursues it).
    rec.stop_reason = Some(super::stop::pending(
        StopCode::WindowClosed,
        message.clone(),
        now.timestamp(),
    ));
    save(hub, rec);
    let _ = entry.errors.send(PollError {
        message,
        code: ErrorCode::WindowClosed,
        status: None,
        retry_after: None,
        fatal: false,
    });
    hub.store.record_action(
        "system",
        AuditAction::BatchWindowClosed,
        &batch_id,
        serde_json::json!({ "pending": pending }),
    );
    Applied::Changed
}

/// Submits a continuation of `rec` exactly once, through the journal, and links both
/// records. A round due later is planned in the journal and submitted when due (after a
/// fresh check of opt-outs and the window, see `submit_due`). People who opted out
/// since are left out; None when nobody is left or the round waits for its time.
pub(super) async fn submit(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
    plan: Plan,
    actor: &str,
) -> Result<Option<FollowUpLink>, PollError> {
    let lock = hub.journal.group_lock(rec.group_id);
    let _guard = lock.lock().await;
    // An intent of an earlier run (a crash, an unknown outcome): settle it first.
    if let Some(found) = earlier_intent(hub, rec).await? {
        return Ok(found);
    }
    if let Some(found) = legacy_marker(hub, rec, &plan, actor).await? {
        return Ok(Some(found));
    }
    let recipients = without_optouts(hub, &rec.batch_id, plan.recipients)?;
    if recipients.is_empty() {
        rec.follow_up_done = true;
        save(hub, rec);
        return Ok(None);
    }
    let round = rec.retry_round + u32::from(plan.kind == FollowUpKind::Retry);
    let now = hub.cfg.clock.now();
    let call_name = continuation_name(hub, rec, plan.kind, round, now);
    let next = BatchRecord {
        group_id: rec.group_id,
        group_name: rec.group_name.clone(),
        user_id: rec.user_id,
        agent_id: rec.agent_id.clone(),
        phone_number_id: rec.phone_number_id.clone(),
        call_name: call_name.clone(),
        created_at: now,
        scheduled_time_unix: None,
        recipients,
        retry_policy: rec.retry_policy.clone(),
        continues: Some(rec.batch_id.clone()),
        follow_up_kind: Some(plan.kind),
        retry_round: round,
        ..Default::default()
    };
    let kind = match plan.kind {
        FollowUpKind::Retry => IntentKind::Retry,
        FollowUpKind::Resume => IntentKind::Resume,
    };
    let mut intent = crate::journal::draft(
        next,
        crate::journal::Draft {
            kind,
            timezone: hub.cfg.timezone,
            key: None,
            parent: Some(rec.batch_id.clone()),
            due_unix: plan.scheduled.map(|t| t.timestamp()),
        },
    );
    rec.pending_follow_up = Some(PendingFollowUp {
        kind: plan.kind,
        call_name,
        since_unix: Utc::now().timestamp() - 60,
        intent_id: Some(intent.id.clone()),
        due_unix: intent.due_unix,
        recipients: intent.phone_count,
    });
    if intent.due_unix.is_some() {
        // Waits in the journal: an opt-out before its time still reaches it.
        intent.state = IntentState::Planned;
        hub.store
            .put_intent(&intent)
            .map_err(|e| store_error(&e.to_string()))?;
        save(hub, rec);
        tracing::info!(from = %rec.batch_id, intent = %intent.id, due = ?intent.due_unix, "continuation planned");
        return Ok(None);
    }
    // Linked first: a crash after the submit finds the intent through this marker.
    hub.store
        .put_batch(rec)
        .map_err(|e| store_error(&e.to_string()))?;
    submit_intent(hub, rec, intent, actor).await.map(Some)
}

/// Submits an intent now and links its batch to `parent`.
async fn submit_intent(
    hub: &Arc<Inner>,
    parent: &mut BatchRecord,
    intent: SubmitIntent,
    actor: &str,
) -> Result<FollowUpLink, PollError> {
    match hub.journal.submit(intent).await {
        Ok(s) => Ok(link(hub, parent, &s.record, actor)),
        Err(JournalError::Unknown(why)) => Err(unknown(&why)),
        Err(JournalError::Refused(e)) => {
            // Refused for good (bad number, agent gone): say so once and stop.
            parent.pending_follow_up = None;
            parent.follow_up_done = true;
            save(hub, parent);
            hub.store.record_action(
                actor,
                AuditAction::BatchFollowUpFailed,
                &parent.batch_id,
                serde_json::json!({ "error": e.to_string() }),
            );
            Err(failed(&e))
        }
        Err(JournalError::Store(e)) => Err(store_error(&e.to_string())),
    }
}

/// The continuation an earlier run left: its batch (linked now), or an error while its
/// outcome is unknown; None when nothing was created (a new submit may go).
async fn earlier_intent(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
) -> Result<Option<Option<FollowUpLink>>, PollError> {
    let Some(id) = rec
        .pending_follow_up
        .as_ref()
        .and_then(|p| p.intent_id.clone())
    else {
        return Ok(None);
    };
    let intent = hub
        .store
        .intent(&id)
        .map_err(|e| store_error(&e.to_string()))?;
    let Some(intent) = intent else {
        return Ok(None);
    };
    match intent.state {
        IntentState::Planned => Ok(Some(None)),
        IntentState::Abandoned { .. } => Ok(None),
        _ => match hub.journal.settle(&intent).await {
            Ok(Settlement::Settled(s)) => Ok(Some(Some(link(hub, rec, &s.record, "system")))),
            Ok(Settlement::Abandoned) => Ok(None),
            Ok(Settlement::Unknown(why)) => Err(unknown(&why)),
            Err(e) => Err(store_error(&e.to_string())),
        },
    }
}

/// A marker written before the journal existed (no intent id): the continuation it
/// stands for is found in the store or, by its unique name, upstream; never resubmitted.
async fn legacy_marker(
    hub: &Arc<Inner>,
    rec: &mut BatchRecord,
    plan: &Plan,
    actor: &str,
) -> Result<Option<FollowUpLink>, PollError> {
    let Some(p) = rec
        .pending_follow_up
        .clone()
        .filter(|p| p.intent_id.is_none() && p.kind == plan.kind)
    else {
        return Ok(None);
    };
    if let Some(link) = saved_continuation(hub, rec) {
        return Ok(Some(link));
    }
    let known = hub.store.batch_ids().unwrap_or_default();
    let found = hub
        .client
        .find_named(&p.call_name, &rec.agent_id, p.since_unix, &known)
        .await
        .map_err(|e| failed(&e))?;
    let Some(batch) = found else {
        return Ok(None);
    };
    let round = rec.retry_round + u32::from(plan.kind == FollowUpKind::Retry);
    let next = BatchRecord {
        batch_id: batch.id.clone(),
        group_id: rec.group_id,
        group_name: rec.group_name.clone(),
        user_id: rec.user_id,
        agent_id: rec.agent_id.clone(),
        phone_number_id: rec.phone_number_id.clone(),
        call_name: p.call_name.clone(),
        created_at: hub.cfg.clock.now(),
        recipients: plan.recipients.clone(),
        last_status: Some(batch.status.clone()),
        retry_policy: rec.retry_policy.clone(),
        continues: Some(rec.batch_id.clone()),
        follow_up_kind: Some(plan.kind),
        retry_round: round,
        ..Default::default()
    };
    hub.store
        .put_batch(&next)
        .map_err(|e| store_error(&e.to_string()))?;
    Ok(Some(link(hub, rec, &next, actor)))
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
    Some(record_link(hub, rec, &next))
}

/// Records in `rec` that `next` continues it, and saves it.
fn record_link(hub: &Inner, rec: &mut BatchRecord, next: &BatchRecord) -> FollowUpLink {
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
    link
}

/// A planned round whose time came: checked afresh (opt-outs, calling window) and
/// submitted, or planned again for the next opening.
pub(super) async fn submit_due(
    hub: &Arc<Inner>,
    mut intent: SubmitIntent,
) -> Result<(), PollError> {
    let Some(parent_id) = intent.parent.clone() else {
        return Ok(());
    };
    let lock = hub.journal.group_lock(intent.group_id);
    let _guard = lock.lock().await;
    let Some(mut parent) = hub
        .store
        .batch(&parent_id)
        .map_err(|e| store_error(&e.to_string()))?
    else {
        return Ok(());
    };
    let now = hub.cfg.clock.now();
    if let Some(next) = hub
        .cfg
        .rules
        .as_ref()
        .filter(|r| !r.is_open(now))
        .and_then(|r| r.next_opening(now))
    {
        intent.due_unix = Some(next.timestamp());
        hub.store
            .put_intent(&intent)
            .map_err(|e| store_error(&e.to_string()))?;
        if let Some(p) = parent.pending_follow_up.as_mut() {
            p.due_unix = intent.due_unix;
        }
        save(hub, &parent);
        return Ok(());
    }
    let recipients = without_optouts(hub, &parent_id, intent.record.recipients.clone())?;
    if recipients.is_empty() {
        let _ = hub
            .store
            .abandon_intent(&intent, "todos en la lista de no llamar");
        parent.pending_follow_up = None;
        parent.follow_up_done = true;
        save(hub, &parent);
        return Ok(());
    }
    intent.set_recipients(recipients);
    intent.record.created_at = now;
    intent.due_unix = None;
    let done = submit_intent(hub, &mut parent, intent, "system").await;
    // The parent's view (cached once final) shows the link now.
    Hub(hub.clone()).kick(&parent_id);
    done.map(|_| ())
}

/// Leaves out the numbers on the do-not-call list; never dials without knowing it.
fn without_optouts(
    hub: &Inner,
    batch_id: &str,
    recipients: Vec<SubmittedRecipient>,
) -> Result<Vec<SubmittedRecipient>, PollError> {
    let mut kept = Vec::with_capacity(recipients.len());
    for r in recipients {
        match hub.store.optout(&r.phone_number) {
            Ok(None) => kept.push(r),
            Ok(Some(_)) => {
                tracing::info!(%batch_id, "recipient on the do-not-call list: not resubmitted");
            }
            Err(e) => return Err(store_error(&e.to_string())),
        }
    }
    Ok(kept)
}

fn continuation_name(
    hub: &Inner,
    rec: &BatchRecord,
    kind: FollowUpKind,
    round: u32,
    now: DateTime<Utc>,
) -> String {
    let base = rec.call_name.split(" · ").next().unwrap_or(&rec.call_name);
    match kind {
        FollowUpKind::Retry => format!("{base} · reintento {round}"),
        FollowUpKind::Resume => format!(
            "{base} · reanudación {}",
            now.with_timezone(&hub.cfg.timezone).format("%d/%m %H:%M")
        ),
    }
}

/// Links a settled continuation to the batch it continues, audits it and starts its
/// poller.
fn link(hub: &Arc<Inner>, rec: &mut BatchRecord, next: &BatchRecord, actor: &str) -> FollowUpLink {
    let link = record_link(hub, rec, next);
    let action = match link.kind {
        FollowUpKind::Retry => AuditAction::BatchAutoRetry,
        FollowUpKind::Resume => AuditAction::BatchResume,
    };
    hub.store.record_action(
        actor,
        action,
        &next.batch_id,
        serde_json::json!({
            "from": rec.batch_id,
            "recipients": next.recipients.len(),
            "scheduledTimeUnix": next.scheduled_time_unix,
            "round": next.retry_round,
        }),
    );
    tracing::info!(from = %rec.batch_id, batch_id = %next.batch_id, recipients = next.recipients.len(), action = %action, "continuation submitted");
    Hub(hub.clone()).kick(&next.batch_id);
    link
}

fn unknown(why: &str) -> PollError {
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

fn store_error(e: &str) -> PollError {
    PollError {
        message: format!("No se pudo preparar la continuación del lote: {e}"),
        code: ErrorCode::StoreError,
        status: None,
        retry_after: None,
        fatal: false,
    }
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
    pe.code = ErrorCode::FollowUpFailed;
    pe.fatal = false;
    pe
}

fn save(hub: &Inner, rec: &BatchRecord) {
    if let Err(e) = hub.store.put_batch(rec) {
        tracing::error!(batch_id = %rec.batch_id, error = %e, "no se pudo guardar el registro del batch");
    }
}
