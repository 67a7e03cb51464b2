//! Keys to commands (through the keymap) and what each command does to the state.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, Confirm, Overlay, Pane, TranscriptView};
use super::effect::Effect;
use super::keymap::{Command, lookup};
use super::update::watch;
use super::{update_campaign, update_confirm};

const PAGE: usize = 10;

pub fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        app.quit = true;
        return;
    }
    if app.filter_editing {
        return edit_filter(app, key);
    }
    if update_confirm::field_has_focus(app) {
        return update_confirm::edit_field(app, key, fx);
    }
    let Some(cmd) = lookup(app.ctx(), &key) else {
        return;
    };
    if matches!(app.overlay, Some(Overlay::Confirm(_))) {
        return update_confirm::on_command(app, cmd, fx);
    }
    run(app, cmd, fx);
}

fn edit_filter(app: &mut App, key: KeyEvent) {
    let Some(b) = app.batch.as_mut() else {
        app.filter_editing = false;
        return;
    };
    let mut text = b.filter.clone();
    match key.code {
        KeyCode::Enter => app.filter_editing = false,
        KeyCode::Esc => {
            app.filter_editing = false;
            text.clear();
        }
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) => text.push(c),
        _ => {}
    }
    if text != b.filter {
        b.set_filter(&text);
    }
}

fn run(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::Quit => app.quit = true,
        Command::Help => app.overlay = Some(Overlay::Help),
        Command::NextPane => cycle(app, true),
        Command::PrevPane => cycle(app, false),
        Command::Up => step(app, -1),
        Command::Down => step(app, 1),
        Command::PageUp => step(app, -(PAGE as i64)),
        Command::PageDown => step(app, PAGE as i64),
        Command::Top => step(app, i64::MIN / 2),
        Command::Bottom => step(app, i64::MAX / 2),
        Command::Open => open(app, fx),
        Command::Back => back(app),
        Command::Call => call(app, fx),
        Command::Retry => retry(app),
        Command::Cancel => cancel(app),
        Command::Resume => resume(app),
        Command::Sort => {
            if let Some(b) = app.batch.as_mut() {
                b.set_sort(b.sort.next(), false);
            }
        }
        Command::SortReverse => {
            if let Some(b) = app.batch.as_mut() {
                b.set_sort(b.sort, !b.sort_desc);
            }
        }
        Command::Filter => app.filter_editing = app.batch.is_some(),
        Command::Mark => {
            if let Some(b) = app.batch.as_mut() {
                b.toggle_mark();
            }
            step(app, 1);
        }
        Command::Export => update_campaign::export_csv(app, fx),
        Command::ExportJson => update_campaign::export_json(app, fx),
        Command::Play => play(app, fx),
        Command::OptOut => update_campaign::ask_opt_out(app),
        Command::FollowContinuation => update_campaign::follow_continuation(app, fx),
        Command::Kpi => update_campaign::toggle_kpi(app, fx),
        Command::Compare => update_campaign::compare(app, fx),
        Command::ClearCompare => update_campaign::clear_compare(app),
        Command::Refresh => {
            super::update::refresh(app, fx);
            fx.push(Effect::LoadOptOuts);
        }
        // Dialog commands reach here only without a dialog: nothing to do.
        Command::Yes
        | Command::No
        | Command::FocusField
        | Command::PrevChoice
        | Command::NextChoice
        | Command::ToggleSkip
        | Command::ToggleForce
        | Command::CycleRetry => {}
    }
}

fn cycle(app: &mut App, forward: bool) {
    let mut panes = vec![Pane::Groups, Pane::Batches, Pane::Batch];
    if app.transcript.is_some() {
        panes.push(Pane::Transcript);
    }
    if app.kpi_open {
        panes.push(Pane::Kpi);
    }
    let i = panes.iter().position(|p| *p == app.focus).unwrap_or(0);
    let n = panes.len();
    app.focus = panes[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }];
}

fn moved(sel: usize, len: usize, delta: i64) -> usize {
    if len == 0 {
        return 0;
    }
    (sel as i64 + delta).clamp(0, len as i64 - 1) as usize
}

fn step(app: &mut App, delta: i64) {
    match app.focus {
        Pane::Groups => app.groups_sel = moved(app.groups_sel, app.groups.len(), delta),
        Pane::Batches => app.batches_sel = moved(app.batches_sel, app.batches.len(), delta),
        Pane::Batch => {
            if let Some(b) = app.batch.as_mut() {
                b.selected = moved(b.selected, b.view.len(), delta);
            }
        }
        Pane::Transcript => {
            if let Some(t) = app.transcript.as_mut() {
                t.scroll = (i64::from(t.scroll) + delta).clamp(0, i64::from(u16::MAX)) as u16;
            }
        }
        Pane::Kpi => {}
    }
}

fn open(app: &mut App, fx: &mut Vec<Effect>) {
    match app.focus {
        Pane::Groups => {
            let last = app.groups.get(app.groups_sel).and_then(|g| {
                g.last_batch
                    .as_ref()
                    .map(|l| (l.batch_id.clone(), g.name.clone()))
            });
            if let Some((id, name)) = last {
                watch(app, &id, &name, fx);
            }
        }
        Pane::Batches => {
            if let Some(item) = app.batches.get(app.batches_sel) {
                let (id, name) = (item.batch_id.clone(), item.call_name.clone());
                watch(app, &id, &name, fx);
            }
        }
        Pane::Batch => {
            if let Some(r) = app.batch.as_ref().and_then(|b| b.selected_row()) {
                app.transcript = Some(TranscriptView {
                    recipient_id: r.id.clone(),
                    scroll: 0,
                });
                app.focus = Pane::Transcript;
                app.kpi_open = false;
            }
        }
        Pane::Transcript | Pane::Kpi => {}
    }
}

fn back(app: &mut App) {
    if app.overlay.take().is_some() {
        return;
    }
    if app.notice.as_ref().is_some_and(|n| n.error) {
        app.notice = None;
    }
    match app.focus {
        Pane::Transcript => {
            app.transcript = None;
            app.focus = Pane::Batch;
        }
        Pane::Kpi => {
            app.kpi_open = false;
            app.focus = Pane::Batch;
        }
        Pane::Batch => match app.batch.as_mut() {
            Some(b) if !b.filter.is_empty() => b.set_filter(""),
            _ => app.focus = Pane::Batches,
        },
        Pane::Batches => app.focus = Pane::Groups,
        Pane::Groups => {}
    }
}

fn call(app: &mut App, fx: &mut Vec<Effect>) {
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

fn retry(app: &mut App) {
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

fn cancel(app: &mut App) {
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

fn resume(app: &mut App) {
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

fn play(app: &mut App, fx: &mut Vec<Effect>) {
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
