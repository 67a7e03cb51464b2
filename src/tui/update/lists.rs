//! Data arriving from the service: the groups and batches lists, the calling numbers, the
//! watched batch's snapshots and connection state, the stream's notices, and the clock's
//! ticks (notices fade).

use crate::domain::StopCode;
use chrono::{DateTime, Utc};

use crate::api::{BatchListItem, GroupSummary, PhoneNumberView};
use crate::tui::action::ConnState;
use crate::tui::effect::Effect;
use crate::tui::state::app::App;

/// Info notices fade after this long; errors stay until replaced or dismissed with esc.
const NOTICE_SECS: i64 = 10;

pub fn tick(app: &mut App, now: DateTime<Utc>) {
    // The header clock shows seconds, so a new second is a visible change.
    if now.timestamp() != app.now.timestamp() {
        app.dirty = true;
    }
    app.now = now;
    if let Some(n) = &app.notice
        && !n.error
        && (now - n.at).num_seconds() >= NOTICE_SECS
    {
        app.notice = None;
    }
}

pub fn groups_loaded(app: &mut App, groups: Vec<GroupSummary>) {
    app.groups = groups;
    app.groups_loaded = true;
    sync_group_status(app);
    app.groups_sel = app.groups_sel.min(app.groups.len().saturating_sub(1));
    app.dirty = true;
}

pub fn phone_numbers_loaded(app: &mut App, numbers: Vec<PhoneNumberView>) {
    // A call dialog opened before the numbers came preselects the group's own now.
    if let Some(d) = crate::tui::state::dialog::call_dialog(&mut app.overlay) {
        d.preselect(&numbers);
    }
    app.phone_numbers = numbers;
    app.dirty = true;
}

/// Newest first; keeps the selection on the same batch.
pub fn set_batches(app: &mut App, mut batches: Vec<BatchListItem>) {
    let keep = app.batches.get(app.batches_sel).map(|b| b.batch_id.clone());
    batches.sort_by_key(|b| {
        std::cmp::Reverse(
            DateTime::parse_from_rfc3339(&b.created_at)
                .map(|t| t.timestamp())
                .unwrap_or(0),
        )
    });
    app.batches = batches;
    app.batches_loaded = true;
    sync_group_status(app);
    if let Some(id) = keep
        && let Some(i) = app.batches.iter().position(|b| b.batch_id == id)
    {
        app.batches_sel = i;
    }
    app.batches_sel = app.batches_sel.min(app.batches.len().saturating_sub(1));
    app.dirty = true;
}

/// A group's "last batch" says what the batch itself says: the batches list and the
/// stream are fresher than the group summary, which may still say "queued".
fn sync_group_status(app: &mut App) {
    let watched = app
        .batch
        .as_ref()
        .filter(|b| b.loaded)
        .map(|b| (b.id.as_str(), &b.status));
    for g in app.groups.iter_mut() {
        let Some(last) = g.last_batch.as_mut() else {
            continue;
        };
        let fresher = match watched {
            Some((id, status)) if id == last.batch_id => Some(status),
            _ => app
                .batches
                .iter()
                .find(|b| b.batch_id == last.batch_id)
                .map(|b| &b.status),
        };
        if let Some(status) = fresher {
            last.status = status.clone();
        }
    }
}

pub fn snapshot(
    app: &mut App,
    batch_id: &str,
    view: crate::api::BatchStatusView,
    at: DateTime<Utc>,
) {
    if !app.watching(batch_id) {
        return;
    }
    // Keep the list's line for this batch in step with what the stream says.
    if let Some(item) = app.batches.iter_mut().find(|b| b.batch_id == batch_id) {
        item.status = view.status.clone();
        item.finished_count = view
            .recipients
            .iter()
            .filter(|r| r.status.is_final())
            .count();
        item.recipients_count = view.recipients.len();
        item.stop_reason = view.stop_reason.clone();
        item.continued_by = view.continued_by.clone();
    }
    for g in app.groups.iter_mut() {
        if let Some(last) = g.last_batch.as_mut().filter(|l| l.batch_id == batch_id) {
            last.status = view.status.clone();
        }
    }
    let ended = view.status.is_final() && !was_final(app);
    let now = app.now.timestamp();
    if let Some(b) = app.batch.as_mut() {
        b.apply(view, now);
    }
    app.last_update = Some(at);
    if ended && let Some(b) = &app.batch {
        let label = app.strings.batch_status(&b.status);
        app.info(app.strings.finished(&label));
    }
    app.dirty = true;
}

fn was_final(app: &App) -> bool {
    app.batch
        .as_ref()
        .is_some_and(|b| b.loaded && b.status.is_final())
}

/// The watched batch's link changed; when it ended, the lists are reloaded.
pub fn conn(app: &mut App, batch_id: &str, state: ConnState, fx: &mut Vec<Effect>) {
    if app.watching(batch_id) && app.conn != state {
        app.conn = state;
        app.dirty = true;
        if state == ConnState::Ended {
            fx.extend([Effect::LoadBatches, Effect::LoadGroups]);
        }
    }
}

/// The stream's own error or timeout event. A stop (breaker, window close) stays in the
/// batch pane, not only in the passing notice.
pub fn stream_notice(app: &mut App, batch_id: &str, message: String, code: Option<String>) {
    if !app.watching(batch_id) {
        return;
    }
    if let Some(c) = code
        .as_deref()
        .and_then(StopCode::parse)
        .filter(|c| matches!(c, StopCode::CircuitBreaker | StopCode::WindowClosed))
        && let Some(b) = app.batch.as_mut()
    {
        b.alert = Some((c, message.clone()));
    }
    app.error(message);
    app.dirty = true;
}
