//! The campaign policies a batch's poller applies beyond watching it:
//!
//! - **Calling windows.** A batch still dialling when the window closes is cancelled at
//!   the close (calls in progress end normally); once it is final, the recipients it never
//!   dialled are resubmitted as a new batch scheduled for the next opening.
//! - **Automatic retries.** When a batch ends, the recipients whose outcome the policy
//!   re-dials (and who have attempts left) go into a new batch, spaced from the last call
//!   and inside the window.
//!
//! This file holds the poller's entry point (`apply`) and the window's close; what a
//! continuation holds is planned in `plan`, submitted in `submit`, recovered after a
//! crash in `recover`, and linked in `link`.
//!
//! Continuations are new batches because upstream `/retry` cannot choose whom it re-dials.
//! They are linked both ways in the store and submitted once: a marker is saved before
//! the submit, and after a crash the marker leads to a lookup, never a second submit.
//! Everything that re-dials a batch holds its redial lock, so a manual retry and a
//! continuation never both happen.

use crate::api::ErrorCode;
use crate::domain::AuditAction;
use std::sync::Arc;

use super::error::PollError;
use super::link::save;
use super::plan::plan;
use super::state::{Entry, Inner};
use super::stop;
use super::submit::submit;
use crate::api::BatchStatusView;
use crate::domain::BatchRecord;
use crate::domain::StopCode;

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
    match hub.store.batch(&rec.batch_id).await {
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
            tracing::warn!(batch_id = %rec.batch_id, error = %e, "batch record unreadable; will retry");
            return Applied::Blocked;
        }
    }
    if !rec.follow_up_open() {
        return Applied::Changed;
    }
    let now = hub.cfg.clock.now();
    let Some(plan) = plan(hub, rec, view, now) else {
        rec.follow_up_done = true;
        save(hub, rec).await;
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
    rec.stop_reason = Some(stop::pending(
        StopCode::WindowClosed,
        message.clone(),
        now.timestamp(),
    ));
    save(hub, rec).await;
    let _ = entry.errors.send(PollError {
        message,
        code: ErrorCode::WindowClosed,
        status: None,
        retry_after: None,
        fatal: false,
    });
    hub.store
        .record_action(
            "system",
            AuditAction::BatchWindowClosed,
            &batch_id,
            serde_json::json!({ "pending": pending }),
        )
        .await;
    Applied::Changed
}
