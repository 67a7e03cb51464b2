//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes. No I/O here;
//! keys are handled in `update_keys`, dialogs in `update_confirm`.

use chrono::{DateTime, Utc};

use crate::api::{BatchListItem, GroupDetail};
use crate::domain::BatchStatus;

use super::action::{Action, ConnState, Failure};
use super::app::{App, CallDialog, Confirm, Overlay, Pane};
use super::batch_state::BatchState;
use super::effect::Effect;
use super::{update_campaign, update_keys, update_preflight};

/// Info notices fade after this long; errors stay until replaced or dismissed with esc.
const NOTICE_SECS: i64 = 10;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Key(key) => {
            app.dirty = true;
            update_keys::on_key(app, key, &mut fx);
        }
        Action::Tick(now) => tick(app, now),
        Action::Resize => app.dirty = true,
        Action::Refresh => refresh(app, &mut fx),
        Action::GroupsLoaded(Ok(groups)) => {
            app.groups = groups;
            app.groups_loaded = true;
            sync_group_status(app);
            app.groups_sel = app.groups_sel.min(app.groups.len().saturating_sub(1));
            app.dirty = true;
        }
        Action::BatchesLoaded(Ok(batches)) => set_batches(app, batches),
        Action::PhoneNumbersLoaded(Ok(numbers)) => {
            app.phone_numbers = numbers;
            app.dirty = true;
            // A call dialog opened before the numbers came can be checked now.
            update_preflight::refresh(app, &mut fx);
        }
        Action::GroupDetailLoaded(Ok(detail)) => open_call_dialog(app, *detail, &mut fx),
        Action::GroupsLoaded(Err(f))
        | Action::BatchesLoaded(Err(f))
        | Action::PhoneNumbersLoaded(Err(f)) => failed(app, &f),
        Action::GroupDetailLoaded(Err(f)) => {
            app.pending_call = None;
            failed(app, &f);
        }
        Action::Snapshot { batch_id, view, at } => snapshot(app, &batch_id, *view, at),
        Action::Conn { batch_id, state } => {
            if watching(app, &batch_id) && app.conn != state {
                app.conn = state;
                app.dirty = true;
                if state == ConnState::Ended {
                    fx.extend([Effect::LoadBatches, Effect::LoadGroups]);
                }
            }
        }
        Action::StreamNotice {
            batch_id,
            message,
            code,
        } => {
            if watching(app, &batch_id) {
                // A stop (breaker, window close) stays in the batch pane, not only in the
                // passing notice.
                if let Some(c) = code
                    .as_deref()
                    .filter(|c| matches!(*c, "circuit_breaker" | "window_closed"))
                    && let Some(b) = app.batch.as_mut()
                {
                    b.alert = Some((c.to_string(), message.clone()));
                }
                app.error(message);
                app.dirty = true;
            }
        }
        Action::PreflightLoaded {
            group_id,
            generation,
            result,
        } => update_preflight::loaded(app, group_id, generation, result),
        Action::CallStarted(result) => super::update_confirm::call_started(app, result, &mut fx),
        Action::OptOutsLoaded(result) => update_campaign::optouts_loaded(app, result),
        Action::OptOutAdded(result) => update_campaign::opt_out_added(app, result, &mut fx),
        Action::ReportLoaded { batch_id, result } => {
            update_campaign::report_loaded(app, &batch_id, result)
        }
        Action::Retried(Ok(data)) => {
            app.info(app.strings.retried(data.retried_count));
            fx.extend([Effect::Watch(data.batch_id), Effect::LoadBatches]);
            app.conn = ConnState::Connecting;
            app.dirty = true;
        }
        Action::Cancelled(Ok(data)) => {
            app.info(app.strings.cancelled(data.cancelled_count));
            fx.push(Effect::LoadBatches);
            app.dirty = true;
        }
        Action::Resumed(Ok(data)) => {
            app.info(
                app.strings.resumed(
                    data.recipients_count,
                    &data.new_batch_id,
                    data.scheduled_time_unix
                        .and_then(|t| DateTime::from_timestamp(t, 0))
                        .map(|t| app.local_time(t).format("%d/%m %H:%M").to_string()),
                ),
            );
            // Follow the new batch: that is where those people will be called.
            watch(app, &data.new_batch_id, "", &mut fx);
            fx.push(Effect::LoadBatches);
            app.dirty = true;
        }
        Action::Retried(Err(f)) | Action::Cancelled(Err(f)) | Action::Resumed(Err(f)) => {
            failed(app, &f)
        }
        Action::Exported(Ok((n, path))) => {
            app.info(app.strings.exported(n, &path.display().to_string()));
            app.dirty = true;
        }
        Action::Exported(Err(e)) => {
            app.error(e);
            app.dirty = true;
        }
        Action::Notice { text, error } => {
            if error {
                app.error(text);
            } else {
                app.info(text);
            }
            app.dirty = true;
        }
        Action::Quit => app.quit = true,
    }
    fx
}

fn tick(app: &mut App, now: DateTime<Utc>) {
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

/// Lists again; the comparison's other side too while the KPI pane shows it.
pub(super) fn refresh(app: &App, fx: &mut Vec<Effect>) {
    fx.extend([Effect::LoadGroups, Effect::LoadBatches]);
    if app.kpi_open
        && let Some(c) = &app.compare
    {
        fx.push(Effect::LoadReport(c.batch_id.clone()));
    }
}

fn failed(app: &mut App, f: &Failure) {
    app.error(f.message.clone());
    app.dirty = true;
}

pub(super) fn watching(app: &App, batch_id: &str) -> bool {
    app.batch.as_ref().is_some_and(|b| b.id == batch_id)
}

/// Newest first; keeps the selection on the same batch.
fn set_batches(app: &mut App, mut batches: Vec<BatchListItem>) {
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

fn snapshot(app: &mut App, batch_id: &str, view: crate::api::BatchStatusView, at: DateTime<Utc>) {
    if !watching(app, batch_id) {
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

/// Start following `batch_id` in the batch pane.
pub(super) fn watch(app: &mut App, batch_id: &str, name: &str, fx: &mut Vec<Effect>) {
    app.focus = Pane::Batch;
    app.transcript = None;
    app.kpi_open = false;
    if watching(app, batch_id) {
        return;
    }
    // A batch is not compared with itself.
    if app.compare.as_ref().is_some_and(|c| c.batch_id == batch_id) {
        app.compare = None;
    }
    let mut b = BatchState::new(batch_id);
    b.name = name.to_string();
    b.status = BatchStatus::Pending;
    app.batch = Some(b);
    app.conn = ConnState::Connecting;
    app.last_update = None;
    fx.push(Effect::Watch(batch_id.to_string()));
}

fn open_call_dialog(app: &mut App, detail: GroupDetail, fx: &mut Vec<Effect>) {
    if app.pending_call != Some(detail.summary.id) {
        return;
    }
    app.pending_call = None;
    let skipped: Vec<(String, String)> = detail
        .clients
        .iter()
        .filter(|c| c.phone_number.is_none())
        .map(|c| {
            let why = c.phone_error.clone().unwrap_or_else(|| c.phone.clone());
            (c.name.clone(), why)
        })
        .collect();
    let mut schedule = ratatui_textarea::TextArea::default();
    schedule.set_placeholder_text(app.strings.schedule_hint);
    let dialog = CallDialog {
        group_id: detail.summary.id,
        group_name: detail.summary.name.clone(),
        recipients: detail.summary.valid_phones,
        skipped,
        missing: Vec::new(),
        active_batch: None,
        phone_choice: 0,
        schedule,
        schedule_focus: false,
        skip_incomplete: false,
        force: false,
        error: None,
        submitting: false,
        preflight: None,
        preflight_gen: 0,
        preflight_key: None,
        retry: Default::default(),
    };
    app.overlay = Some(Overlay::Confirm(Box::new(Confirm::StartCall(Box::new(
        dialog,
    )))));
    app.notice = None;
    app.dirty = true;
    update_preflight::refresh(app, fx);
}
