//! Submitting a continuation exactly once: now through the journal, or planned in the
//! journal for later and submitted by the sweeper when due (after a fresh check of
//! opt-outs and the calling window); and a supervisor's resubmission of what a stopped
//! batch never dialled.

use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::error::PollError;
use super::link::{save, settle_others, store_error, submit_intent, without_optouts};
use super::plan::{Plan, resume_plan};
use super::recover::{earlier_intent, legacy_marker};
use super::state::Inner;
use crate::api::BatchStatusView;
use crate::domain::intent::{IntentKind, IntentState, SubmitIntent};
use crate::domain::{BatchRecord, FollowUpKind, FollowUpLink, PendingFollowUp};

/// The group's lock, in this process and on a shared store in every other.
async fn lock_group(
    hub: &Inner,
    group: crate::domain::GroupId,
) -> Result<crate::journal::GroupLock, PollError> {
    hub.journal
        .lock_group(group)
        .await
        .map_err(|e| store_error(&e.to_string()))
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
    let _guard = lock_group(hub, rec.group_id).await?;
    // An intent of an earlier run (a crash, an unknown outcome): settle it first.
    if let Some(found) = earlier_intent(hub, rec).await? {
        return Ok(found);
    }
    if let Some(found) = legacy_marker(hub, rec, &plan, actor).await? {
        return Ok(Some(found));
    }
    settle_others(hub, rec.group_id).await?;
    let recipients = without_optouts(hub, &rec.batch_id, plan.recipients).await?;
    if recipients.is_empty() {
        rec.follow_up_done = true;
        save(hub, rec).await;
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
            .await
            .map_err(|e| store_error(&e.to_string()))?;
        save(hub, rec).await;
        tracing::info!(from = %rec.batch_id, intent = %intent.id, due = ?intent.due_unix, "continuation planned");
        return Ok(None);
    }
    // Linked first: a crash after the submit finds the intent through this marker.
    hub.store
        .put_batch(rec)
        .await
        .map_err(|e| store_error(&e.to_string()))?;
    submit_intent(hub, rec, intent, actor).await.map(Some)
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
    let _guard = lock_group(hub, intent.group_id).await?;
    // Read again under the lock: another sweeper (another instance on a shared store)
    // may have submitted this round while we waited, and it must not go twice.
    match hub.store.intent(&intent.id).await {
        Ok(Some(fresh))
            if fresh.state == IntentState::Planned
                && fresh
                    .due_unix
                    .is_none_or(|t| t <= hub.cfg.clock.now().timestamp()) =>
        {
            intent = fresh
        }
        Ok(_) => return Ok(()),
        Err(e) => return Err(store_error(&e.to_string())),
    }
    let Some(mut parent) = hub
        .store
        .batch(&parent_id)
        .await
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
            .await
            .map_err(|e| store_error(&e.to_string()))?;
        if let Some(p) = parent.pending_follow_up.as_mut() {
            p.due_unix = intent.due_unix;
        }
        save(hub, &parent).await;
        return Ok(());
    }
    let recipients = without_optouts(hub, &parent_id, intent.record.recipients.clone()).await?;
    if recipients.is_empty() {
        let _ = hub
            .store
            .abandon_intent(&intent, "todos en la lista de no llamar")
            .await;
        parent.pending_follow_up = None;
        parent.follow_up_done = true;
        save(hub, &parent).await;
        return Ok(());
    }
    settle_others(hub, intent.group_id).await?;
    intent.set_recipients(recipients);
    intent.record.created_at = now;
    intent.due_unix = None;
    let done = submit_intent(hub, &mut parent, intent, "system").await;
    // The parent's view (cached once final) shows the link now.
    hub.kick(&parent_id);
    done.map(|_| ())
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
