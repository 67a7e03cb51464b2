//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes; no I/O. This
//! file dispatches actions, keys and commands to one file per feature. Those files never
//! use each other: what they share lives in `state` (e.g. `App::watch`), and when one
//! feature's change needs another's follow-up (a dialog's choices changed: ask the
//! pre-flight again) they return it and this file calls the other.

mod batch_ops;
mod dialog;
mod export;
mod kpi;
mod lists;
mod navigate;
mod optouts;
mod preflight;

pub use dialog::describe_details;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::action::Action;
use crate::tui::bindings::{Command, lookup};
use crate::tui::effect::Effect;
use crate::tui::state::app::App;
use crate::tui::state::dialog::Overlay;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Key(key) => {
            app.dirty = true;
            on_key(app, key, &mut fx);
        }
        Action::Tick(now) => lists::tick(app, now),
        Action::Resize => app.dirty = true,
        Action::Refresh => fx.extend(app.refresh_effects()),
        Action::GroupsLoaded(Ok(groups)) => lists::groups_loaded(app, groups),
        Action::BatchesLoaded(Ok(batches)) => lists::set_batches(app, batches),
        Action::PhoneNumbersLoaded(Ok(numbers)) => {
            lists::phone_numbers_loaded(app, numbers);
            // A call dialog opened before the numbers came can be checked now.
            preflight::refresh(app, &mut fx);
        }
        Action::GroupDetailLoaded(Ok(detail)) => {
            if dialog::open_call_dialog(app, *detail) {
                preflight::refresh(app, &mut fx);
            }
        }
        Action::GroupsLoaded(Err(f))
        | Action::BatchesLoaded(Err(f))
        | Action::PhoneNumbersLoaded(Err(f)) => app.failed(&f),
        Action::GroupDetailLoaded(Err(f)) => {
            app.pending_call = None;
            app.failed(&f);
        }
        Action::Snapshot { batch_id, view, at } => lists::snapshot(app, &batch_id, *view, at),
        Action::Conn { batch_id, state } => lists::conn(app, &batch_id, state, &mut fx),
        Action::StreamNotice {
            batch_id,
            message,
            code,
        } => lists::stream_notice(app, &batch_id, message, code),
        Action::PreflightLoaded {
            group_id,
            generation,
            result,
        } => preflight::loaded(app, group_id, generation, result),
        Action::CallStarted(result) => dialog::call_started(app, result, &mut fx),
        Action::OptOutsLoaded(result) => optouts::optouts_loaded(app, result),
        Action::OptOutAdded(result) => optouts::opt_out_added(app, result, &mut fx),
        Action::ReportLoaded { batch_id, result } => kpi::report_loaded(app, &batch_id, result),
        Action::Retried(result) => batch_ops::retried(app, result, &mut fx),
        Action::Cancelled(result) => batch_ops::cancelled(app, result, &mut fx),
        Action::Resumed(result) => batch_ops::resumed(app, result, &mut fx),
        Action::Exported(result) => export::exported(app, result),
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

/// A key: the filter being edited or the dialog's schedule field take it first; else it
/// is looked up in the keymap for the focused pane or the dialog.
fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        app.quit = true;
        return;
    }
    if app.filter_editing {
        return navigate::edit_filter(app, key);
    }
    if dialog::field_has_focus(app) {
        if dialog::edit_field(app, key) {
            preflight::refresh(app, fx);
        }
        return;
    }
    let Some(cmd) = lookup(app.ctx(), &key) else {
        return;
    };
    if matches!(app.overlay, Some(Overlay::Confirm(_))) {
        if dialog::on_command(app, cmd, fx) {
            preflight::refresh(app, fx);
        }
        return;
    }
    run(app, cmd, fx);
}

/// A command with no dialog open.
fn run(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::Quit => app.quit = true,
        Command::Help => app.overlay = Some(Overlay::Help),
        Command::Open => navigate::open(app, fx),
        Command::FollowContinuation => navigate::follow_continuation(app, fx),
        Command::Call => batch_ops::call(app, fx),
        Command::Retry => batch_ops::retry(app),
        Command::Cancel => batch_ops::cancel(app),
        Command::Resume => batch_ops::resume(app),
        Command::Play => batch_ops::play(app, fx),
        Command::Export => export::export_csv(app, fx),
        Command::ExportJson => export::export_json(app, fx),
        Command::OptOut => optouts::ask_opt_out(app),
        Command::Kpi => kpi::toggle_kpi(app, fx),
        Command::Compare => kpi::compare(app, fx),
        Command::ClearCompare => kpi::clear_compare(app),
        Command::Refresh => {
            fx.extend(app.refresh_effects());
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
        _ => navigate::on_command(app, cmd),
    }
}
