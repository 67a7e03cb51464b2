//! What the supervisor does to calls: `c` asks for a group's call dialog, `r`/`x`/`u` ask
//! before retrying, cancelling or resuming the watched batch, `p` plays a recording; and
//! the service's answers to those.

use chrono::DateTime;

use crate::api::{CancelData, ResumeData, RetryData};
use crate::tui::action::{ConnState, Outcome};
use crate::tui::effect::Effect;
use crate::tui::state::app::{App, Pane};
use crate::tui::state::dialog::{Confirm, Overlay};

pub fn call(app: &mut App, fx: &mut Vec<Effect>) {
    // Calls start from a group: elsewhere `c` takes the supervisor there and says so.
    if app.focus != Pane::Groups {
        app.focus = Pane::Groups;
        app.transcript = None;
        return app.note(app.strings.call_where);
    }
    let Some(id) = app.groups.get(app.groups_sel).map(|g| g.id) else {
        return;
    };
    app.pending_call = Some(id);
    app.note(app.strings.loading);
    fx.push(Effect::LoadGroupDetail(id));
    if app.phone_numbers.is_empty() {
        fx.push(Effect::LoadPhoneNumbers);
    }
}

pub fn retry(app: &mut App) {
    let Some(b) = app.batch.as_ref() else {
        return app.error(app.strings.no_batch_selected);
    };
    let count = b.retryable();
    if count == 0 {
        return app.note(app.strings.nothing_to_retry);
    }
    let c = Confirm::Retry {
        batch_id: b.id.clone(),
        name: b.name.clone(),
        count,
    };
    app.overlay = Some(Overlay::Confirm(Box::new(c)));
}

pub fn cancel(app: &mut App) {
    let Some(b) = app.batch.as_ref() else {
        return app.error(app.strings.no_batch_selected);
    };
    if b.status.is_final() {
        return app.note(app.strings.batch_final);
    }
    let c = Confirm::Cancel {
        batch_id: b.id.clone(),
        name: b.name.clone(),
        stop: b.not_started(),
        running: b.running(),
    };
    app.overlay = Some(Overlay::Confirm(Box::new(c)));
}

pub fn resume(app: &mut App) {
    let Some(b) = app.batch.as_ref() else {
        return app.error(app.strings.no_batch_selected);
    };
    if !b.status.is_final() {
        let text = app.strings.resume_running();
        return app.note(text);
    }
    if let Some(next) = &b.continued_by {
        let text = app.strings.already_continued(next);
        return app.note(text);
    }
    let count = b.undialled();
    if count == 0 {
        let text = app.strings.nothing_to_resume();
        return app.note(text);
    }
    let c = Confirm::Resume {
        batch_id: b.id.clone(),
        name: b.name.clone(),
        count,
    };
    app.overlay = Some(Overlay::Confirm(Box::new(c)));
}

pub fn play(app: &mut App, fx: &mut Vec<Effect>) {
    let row = match &app.transcript {
        Some(t) => app
            .batch
            .as_ref()
            .and_then(|b| b.row_by_id(&t.recipient_id)),
        None => app.batch.as_ref().and_then(|b| b.selected_row()),
    };
    match row.and_then(|r| r.conversation_id.clone()) {
        Some(conversation_id) => fx.push(Effect::PlayAudio {
            conversation_id,
            save_dir: app.export_dir.clone(),
        }),
        None => app.error(app.strings.no_recording),
    }
}

pub fn retried(app: &mut App, result: Outcome<RetryData>, fx: &mut Vec<Effect>) {
    match result {
        Ok(data) => {
            app.info(app.strings.retried(data.retried_count));
            fx.extend([Effect::Watch(data.batch_id), Effect::LoadBatches]);
            app.conn = ConnState::Connecting;
            app.dirty = true;
        }
        Err(f) => app.failed(&f),
    }
}

pub fn cancelled(app: &mut App, result: Outcome<CancelData>, fx: &mut Vec<Effect>) {
    match result {
        Ok(data) => {
            app.info(app.strings.cancelled(data.cancelled_count));
            fx.push(Effect::LoadBatches);
            app.dirty = true;
        }
        Err(f) => app.failed(&f),
    }
}

/// A stopped batch's undialled were resubmitted: follow the new batch, where those people
/// will be called.
pub fn resumed(app: &mut App, result: Outcome<ResumeData>, fx: &mut Vec<Effect>) {
    let data = match result {
        Ok(data) => data,
        Err(f) => return app.failed(&f),
    };
    let at = data
        .scheduled_time_unix
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .map(|t| app.local_time(t).format("%d/%m %H:%M").to_string());
    app.info(
        app.strings
            .resumed(data.recipients_count, &data.new_batch_id, at),
    );
    fx.extend(app.watch(&data.new_batch_id, ""));
    fx.push(Effect::LoadBatches);
    app.dirty = true;
}
