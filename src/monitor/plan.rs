//! Planning a batch's continuation: what the policies ask once it is final — the
//! recipients a stopped batch never dialled (at the next opening), an opt-out
//! replacement (when the replaced batch would have dialled), or an automatic retry round
//! (spaced from the last call, inside the window) — and with which recipients.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

use super::state::Inner;
use super::view::outcomes;
use crate::api::BatchStatusView;
use crate::domain::StopCode;
use crate::domain::policy::{RetryDecision, retry_round_at};
use crate::domain::{BatchRecord, FollowUpKind, RecipientStatus, SubmittedRecipient};

/// A continuation to submit.
pub(super) struct Plan {
    pub(super) kind: FollowUpKind,
    pub(super) recipients: Vec<SubmittedRecipient>,
    pub(super) scheduled: Option<DateTime<Utc>>,
}

/// What the policies ask for a final batch; None when nothing is to be dialled again.
pub(super) fn plan(
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
pub(super) fn resume_plan(
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
    let outcomes = outcomes(view);
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
fn undialled(rec: &BatchRecord, view: &BatchStatusView) -> Vec<SubmittedRecipient> {
    let by_phone = sent_by_phone(rec);
    view.recipients
        .iter()
        .filter(|r| r.never_dialled())
        .map(|r| resubmitted(&by_phone, r, r.attempts))
        .collect()
}
