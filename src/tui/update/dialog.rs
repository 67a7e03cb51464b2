//! The confirm dialogs: `y` confirms, `n`/`esc` cancels. The schedule field takes keys
//! only after `tab`, so a `y` is never typed into it by accident. Whether the call
//! dialog's choices changed is returned: the dispatcher then asks the pre-flight again.

use crossterm::event::{KeyCode, KeyEvent};

use crate::api::{GroupDetail, StartCallData, StartCallRequest};
use crate::tui::action::Outcome;
use crate::tui::bindings::Command;
use crate::tui::effect::Effect;
use crate::tui::state::app::App;
use crate::tui::state::dialog::{
    CallDialog, Confirm, Overlay, active_batch_of, call_dialog, current_call_dialog,
};
use crate::tui::state::loadable::Loadable;
use crate::tui::state::readiness::Readiness;
use crate::tui::state::request::start_request;
use crate::tui::state::schedule::InvalidTime;
use crate::tui::text::readiness::{refusal_text, refused_before};
use crate::tui::text::strings::Strings;

pub fn field_has_focus(app: &App) -> bool {
    current_call_dialog(&app.overlay).is_some_and(|d| d.schedule_focus)
}

/// Keys while the schedule field has focus. Returns true when the field is left (the
/// time typed may open or close the calling window: the pre-flight is asked again).
pub fn edit_field(app: &mut App, key: KeyEvent) -> bool {
    let Some(d) = call_dialog(&mut app.overlay) else {
        return false;
    };
    match key.code {
        KeyCode::Tab | KeyCode::Esc | KeyCode::Enter | KeyCode::BackTab => {
            d.schedule_focus = false;
            true
        }
        _ => {
            d.schedule.input(key);
            d.error = None;
            false
        }
    }
}

/// A command while a confirm dialog is open. Returns whether the call dialog's choices
/// changed.
pub fn on_command(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) -> bool {
    if cmd == Command::No {
        app.overlay = None;
        return false;
    }
    // The request is built before the dialog is borrowed for changes.
    let request = current_call_dialog(&app.overlay).map(|d| start_request(app, d));
    let strings = app.strings;
    let numbers = app.phone_numbers.len();
    let Some(Overlay::Confirm(c)) = app.overlay.as_mut() else {
        return false;
    };
    let effect = match c.as_mut() {
        Confirm::StartCall(d) => return call_command(d, cmd, request, numbers, strings, fx),
        Confirm::Retry { batch_id, .. } => Effect::Retry(batch_id.clone()),
        Confirm::Cancel { batch_id, .. } => Effect::Cancel(batch_id.clone()),
        Confirm::Resume { batch_id, .. } => Effect::Resume(batch_id.clone()),
        Confirm::OptOut { phone, .. } => Effect::AddOptOut {
            phone: phone.clone(),
            reason: strings.optout_reason.to_string(),
        },
    };
    if cmd == Command::Yes {
        fx.push(effect);
        app.overlay = None;
    }
    false
}

/// The call dialog's own commands. Returns whether its choices changed.
fn call_command(
    d: &mut CallDialog,
    cmd: Command,
    request: Option<Result<StartCallRequest, InvalidTime>>,
    numbers: usize,
    strings: &Strings,
    fx: &mut Vec<Effect>,
) -> bool {
    match cmd {
        Command::Yes if !d.submitting => {
            confirm_call(d, request, strings, fx);
            false
        }
        Command::FocusField => {
            d.schedule_focus = true;
            false
        }
        Command::NextChoice if numbers > 0 => {
            d.phone_choice = (d.phone_choice + 1) % numbers;
            true
        }
        Command::PrevChoice if numbers > 0 => {
            d.phone_choice = (d.phone_choice + numbers - 1) % numbers;
            true
        }
        Command::ToggleSkip => {
            d.skip_incomplete = !d.skip_incomplete;
            d.error = None;
            false
        }
        Command::ToggleForce => {
            d.force = !d.force;
            true
        }
        Command::CycleRetry => {
            d.retry = d.retry.next();
            true
        }
        _ => false,
    }
}

/// `y` in the call dialog: start, unless the pre-flight already says it would be refused
/// or the schedule is not a time.
fn confirm_call(
    d: &mut CallDialog,
    request: Option<Result<StartCallRequest, InvalidTime>>,
    strings: &Strings,
    fx: &mut Vec<Effect>,
) {
    if let Some(r) = blocked(d) {
        d.error = Some(refused_before(strings, r));
        return;
    }
    match request {
        Some(Ok(request)) => {
            d.submitting = true;
            d.error = None;
            fx.push(Effect::StartCall {
                group_id: d.group_id,
                request,
            });
        }
        _ => d.error = Some(strings.invalid_time.to_string()),
    }
}

/// What the pre-flight already says would be refused: nobody ready, or clients lacking
/// data that `o` has not chosen to leave out.
fn blocked(d: &CallDialog) -> Option<Readiness> {
    match &d.preflight {
        Some(Loadable::Ready(p)) => {
            let r = Readiness::of(p);
            r.blocks(d.skip_incomplete).then_some(r)
        }
        _ => None,
    }
}

/// The group's detail came for the `c` pressed on it: open the call dialog. Returns
/// whether it opened (the pre-flight is then asked).
pub fn open_call_dialog(app: &mut App, detail: GroupDetail) -> bool {
    if app.pending_call != Some(detail.summary.id) {
        return false;
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
    let mut dialog = CallDialog {
        group_id: detail.summary.id,
        group_name: detail.summary.name.clone(),
        recipients: detail.summary.valid_phones,
        skipped,
        missing: Vec::new(),
        active_batch: None,
        phone_choice: 0,
        group_agent: detail.summary.agent_id.clone(),
        group_phone: detail.summary.agent_phone_number_id.clone(),
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
    dialog.preselect(&app.phone_numbers);
    app.overlay = Some(Overlay::Confirm(Box::new(Confirm::StartCall(Box::new(
        dialog,
    )))));
    app.notice = None;
    app.dirty = true;
    true
}

/// The service answered the call start. On success follow the new batch; on a refusal
/// keep the dialog open with what the service said (missing variables, active batch).
pub fn call_started(app: &mut App, result: Outcome<StartCallData>, fx: &mut Vec<Effect>) {
    app.dirty = true;
    match result {
        Ok(data) => {
            app.overlay = None;
            app.info(app.strings.started(data.recipients_count, &data.batch_id));
            fx.extend(app.watch(&data.batch_id, &data.call_name));
            if let Some(b) = app.batch.as_mut() {
                b.group_id = Some(data.group_id);
                b.group_name = Some(data.group_name.clone());
            }
            fx.extend([Effect::LoadBatches, Effect::LoadGroups]);
        }
        Err(f) => {
            let strings = app.strings;
            let Some(d) = call_dialog(&mut app.overlay) else {
                return app.error(f.message);
            };
            d.submitting = false;
            match f.status {
                Some(422) => d.missing = describe_details(f.details.as_ref()),
                Some(409) => d.active_batch = active_batch_of(&f),
                _ => {}
            }
            d.error = Some(refusal_text(strings, &f));
        }
    }
}

fn find_str(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_string))
}

/// Readable lines from a 422 `details`: `name: var, var` (or `name: reason`) per
/// recipient where the shape allows it; values that are not text are left out rather
/// than shown as JSON.
pub fn describe_details(details: Option<&serde_json::Value>) -> Vec<String> {
    use serde_json::Value;
    let Some(v) = details else { return Vec::new() };
    let list = match v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => match [
            "missing",
            "recipients",
            "clients",
            "missingVariables",
            "skipped",
        ]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_array))
        {
            Some(a) => a.clone(),
            None => {
                return o
                    .iter()
                    .filter(|(_, v)| !v.is_object())
                    .map(|(k, v)| format!("{k}: {}", flat(v)))
                    .collect();
            }
        },
        other => return vec![flat(other)],
    };
    list.iter()
        .filter_map(|item| {
            let who = find_str(item, &["name", "client", "clientName", "phone"]);
            let what = ["missing", "variables", "missingVariables"]
                .iter()
                .find_map(|k| item.get(*k))
                .filter(|m| !matches!(m, Value::Array(a) if a.is_empty()))
                .map(flat)
                .or_else(|| find_str(item, &["reason", "message"]));
            match (who, what) {
                (Some(w), Some(m)) => Some(format!("{w}: {m}")),
                (Some(w), None) => Some(w),
                (None, _) if !item.is_object() && !item.is_array() => Some(flat(item)),
                (None, _) => None,
            }
        })
        .collect()
}

fn flat(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .filter(|x| !x.is_object())
            .map(flat)
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Object(_) => String::new(),
        other => other.to_string(),
    }
}
