//! The confirm dialogs: `y` confirms, `n`/`esc` cancels. The schedule field takes keys
//! only after `tab`, so a `y` is never typed into it by accident.

use chrono::{NaiveDateTime, NaiveTime, TimeZone};
use crossterm::event::{KeyCode, KeyEvent};

use crate::api::StartCallData;

use super::action::{Failure, Outcome};
use super::app::{App, CallDialog, Confirm, Loadable, Overlay};
use super::effect::Effect;
use super::keymap::Command;
use super::readiness::{Readiness, refusal_text};
use super::update::watch;
use super::update_preflight;

/// The call dialog, when it is the overlay.
pub(super) fn call_dialog(overlay: &mut Option<Overlay>) -> Option<&mut CallDialog> {
    match overlay.as_mut() {
        Some(Overlay::Confirm(c)) => match c.as_mut() {
            Confirm::StartCall(d) => Some(d),
            _ => None,
        },
        _ => None,
    }
}

fn dialog(app: &mut App) -> Option<&mut CallDialog> {
    call_dialog(&mut app.overlay)
}

pub fn field_has_focus(app: &App) -> bool {
    matches!(&app.overlay, Some(Overlay::Confirm(c))
        if matches!(c.as_ref(), Confirm::StartCall(d) if d.schedule_focus))
}

/// Keys while the schedule field has focus. Leaving the field re-runs the pre-flight
/// (the time typed may open or close the calling window).
pub fn edit_field(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(d) = dialog(app) else { return };
    match key.code {
        KeyCode::Tab | KeyCode::Esc | KeyCode::Enter | KeyCode::BackTab => {
            d.schedule_focus = false;
            update_preflight::refresh(app, fx);
        }
        _ => {
            d.schedule.input(key);
            d.error = None;
        }
    }
}

pub fn on_command(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    let numbers = app.phone_numbers.len();
    let invalid_time = app.strings.invalid_time;
    let optout_reason = app.strings.optout_reason;
    let strings = app.strings;
    if cmd == Command::No {
        app.overlay = None;
        return;
    }
    // The request is built before the dialog is borrowed for changes.
    let request = match app.overlay.as_ref() {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::StartCall(d) => Some(update_preflight::request(app, d)),
            _ => None,
        },
        _ => None,
    };
    let Some(Overlay::Confirm(c)) = app.overlay.as_mut() else {
        return;
    };
    let mut choices_changed = false;
    match (c.as_mut(), cmd) {
        (Confirm::StartCall(d), Command::Yes) if !d.submitting && blocked(d).is_some() => {
            d.error = blocked(d).map(|r| refused_before(strings, r));
        }
        (Confirm::StartCall(d), Command::Yes) if !d.submitting => match request {
            Some(Ok(request)) => {
                d.submitting = true;
                d.error = None;
                fx.push(Effect::StartCall {
                    group_id: d.group_id,
                    request,
                });
            }
            _ => d.error = Some(invalid_time.to_string()),
        },
        (Confirm::StartCall(d), Command::FocusField) => d.schedule_focus = true,
        (Confirm::StartCall(d), Command::NextChoice) if numbers > 0 => {
            d.phone_choice = (d.phone_choice + 1) % numbers;
            choices_changed = true;
        }
        (Confirm::StartCall(d), Command::PrevChoice) if numbers > 0 => {
            d.phone_choice = (d.phone_choice + numbers - 1) % numbers;
            choices_changed = true;
        }
        (Confirm::StartCall(d), Command::ToggleSkip) => {
            d.skip_incomplete = !d.skip_incomplete;
            d.error = None;
        }
        (Confirm::StartCall(d), Command::ToggleForce) => {
            d.force = !d.force;
            choices_changed = true;
        }
        (Confirm::StartCall(d), Command::CycleRetry) => {
            d.retry = d.retry.next();
            choices_changed = true;
        }
        (Confirm::Retry { batch_id, .. }, Command::Yes) => {
            fx.push(Effect::Retry(batch_id.clone()));
            app.overlay = None;
        }
        (Confirm::Cancel { batch_id, .. }, Command::Yes) => {
            fx.push(Effect::Cancel(batch_id.clone()));
            app.overlay = None;
        }
        (Confirm::Resume { batch_id, .. }, Command::Yes) => {
            fx.push(Effect::Resume(batch_id.clone()));
            app.overlay = None;
        }
        (Confirm::OptOut { phone, .. }, Command::Yes) => {
            fx.push(Effect::AddOptOut {
                phone: phone.clone(),
                reason: optout_reason.to_string(),
            });
            app.overlay = None;
        }
        _ => {}
    }
    if choices_changed {
        update_preflight::refresh(app, fx);
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

fn refused_before(s: &super::i18n::Strings, r: Readiness) -> String {
    let es = s.lang == crate::config::Lang::Es;
    match (r.ready, es) {
        (0, true) => {
            "No se llamó: nadie está listo para llamar (aquí debajo, lo que falta).".into()
        }
        (0, false) => "Not called: nobody is ready to call (what is missing is just below).".into(),
        (_, true) => {
            "No se llamó: pulse o para llamar solo a los listos, o complete los datos.".into()
        }
        (_, false) => "Not called: press o to call only those ready, or fill in the data.".into(),
    }
}

/// The service answered the call start. On success follow the new batch; on a refusal
/// keep the dialog open with what the service said (missing variables, active batch).
pub fn call_started(app: &mut App, result: Outcome<StartCallData>, fx: &mut Vec<Effect>) {
    app.dirty = true;
    match result {
        Ok(data) => {
            app.overlay = None;
            app.info(app.strings.started(data.recipients_count, &data.batch_id));
            watch(app, &data.batch_id, &data.call_name, fx);
            if let Some(b) = app.batch.as_mut() {
                b.group_id = Some(data.group_id);
                b.group_name = Some(data.group_name.clone());
            }
            fx.extend([Effect::LoadBatches, Effect::LoadGroups]);
        }
        Err(f) => {
            let strings = app.strings;
            let Some(d) = dialog(app) else {
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

/// The active batch a 409 names (empty when it names none: the dialog still offers `f`).
pub(super) fn active_batch_of(f: &Failure) -> Option<String> {
    f.details
        .as_ref()
        .and_then(|v| find_str(v, &["batchId", "batch_id", "activeBatchId"]))
        .or_else(|| Some(String::new()))
}

/// The schedule field holds something that is not a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTime;

/// Empty means now; `HH:MM` is the next such time; else `YYYY-MM-DD HH:MM` (local zone).
pub fn parse_schedule(
    text: &str,
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>, InvalidTime> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let local_now = now.with_timezone(&tz);
    let naive = if let Ok(time) = NaiveTime::parse_from_str(t, "%H:%M") {
        let today = local_now.date_naive().and_time(time);
        if today <= local_now.naive_local() {
            today + chrono::Duration::days(1)
        } else {
            today
        }
    } else {
        NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").map_err(|_| InvalidTime)?
    };
    let at = tz
        .from_local_datetime(&naive)
        .earliest()
        .ok_or(InvalidTime)?;
    Ok(Some(at.timestamp()))
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
