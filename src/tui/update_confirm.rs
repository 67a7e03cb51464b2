//! The confirm dialogs: `y` confirms, `n`/`esc` cancels. The schedule field takes keys
//! only after `tab`, so a `y` is never typed into it by accident.

use chrono::{NaiveDateTime, NaiveTime, TimeZone};
use crossterm::event::{KeyCode, KeyEvent};

use crate::api::{StartCallData, StartCallRequest};

use super::action::Outcome;
use super::app::{App, CallDialog, Confirm, Overlay};
use super::effect::Effect;
use super::keymap::Command;
use super::update::watch;

fn dialog(app: &mut App) -> Option<&mut CallDialog> {
    match app.overlay.as_mut() {
        Some(Overlay::Confirm(c)) => match c.as_mut() {
            Confirm::StartCall(d) => Some(d),
            _ => None,
        },
        _ => None,
    }
}

pub fn field_has_focus(app: &App) -> bool {
    matches!(&app.overlay, Some(Overlay::Confirm(c))
        if matches!(c.as_ref(), Confirm::StartCall(d) if d.schedule_focus))
}

pub fn edit_field(app: &mut App, key: KeyEvent) {
    let Some(d) = dialog(app) else { return };
    match key.code {
        KeyCode::Tab | KeyCode::Esc | KeyCode::Enter | KeyCode::BackTab => d.schedule_focus = false,
        _ => {
            d.schedule.input(key);
            d.error = None;
        }
    }
}

pub fn on_command(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    let numbers = app.phone_numbers.len();
    let tz = app.tz;
    let now = app.now;
    let invalid_time = app.strings.invalid_time;
    if cmd == Command::No {
        app.overlay = None;
        return;
    }
    let Some(Overlay::Confirm(c)) = app.overlay.as_mut() else {
        return;
    };
    match (c.as_mut(), cmd) {
        (Confirm::StartCall(d), Command::Yes) if !d.submitting => {
            let text = d.schedule.lines().join(" ");
            match parse_schedule(&text, tz, now) {
                Ok(scheduled_time_unix) => {
                    let phone = app.phone_numbers.get(d.phone_choice);
                    let request = StartCallRequest {
                        user_id: app.acting_user,
                        agent_phone_number_id: phone.map(|p| p.phone_number_id.clone()),
                        scheduled_time_unix,
                        skip_incomplete: d.skip_incomplete,
                        force: d.force,
                        retry_policy: None,
                    };
                    d.submitting = true;
                    d.error = None;
                    fx.push(Effect::StartCall {
                        group_id: d.group_id,
                        request,
                    });
                }
                Err(InvalidTime) => d.error = Some(invalid_time.to_string()),
            }
        }
        (Confirm::StartCall(d), Command::FocusField) => d.schedule_focus = true,
        (Confirm::StartCall(d), Command::NextChoice) if numbers > 0 => {
            d.phone_choice = (d.phone_choice + 1) % numbers;
        }
        (Confirm::StartCall(d), Command::PrevChoice) if numbers > 0 => {
            d.phone_choice = (d.phone_choice + numbers - 1) % numbers;
        }
        (Confirm::StartCall(d), Command::ToggleSkip) => d.skip_incomplete = !d.skip_incomplete,
        (Confirm::StartCall(d), Command::ToggleForce) => d.force = !d.force,
        (Confirm::Retry { batch_id, .. }, Command::Yes) => {
            fx.push(Effect::Retry(batch_id.clone()));
            app.overlay = None;
        }
        (Confirm::Cancel { batch_id, .. }, Command::Yes) => {
            fx.push(Effect::Cancel(batch_id.clone()));
            app.overlay = None;
        }
        _ => {}
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
            let Some(d) = dialog(app) else {
                return app.error(f.message);
            };
            d.submitting = false;
            match f.status {
                Some(422) => d.missing = describe_details(f.details.as_ref()),
                Some(409) => {
                    d.active_batch = f
                        .details
                        .as_ref()
                        .and_then(|v| find_str(v, &["batchId", "batch_id", "activeBatchId"]))
                        .or_else(|| Some(String::new()));
                }
                _ => {}
            }
            d.error = Some(f.message);
        }
    }
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

/// Readable lines from a 422 `details`: `name: var, var` per recipient where the shape
/// allows it, the JSON itself otherwise (never lose what the service said).
pub fn describe_details(details: Option<&serde_json::Value>) -> Vec<String> {
    use serde_json::Value;
    let Some(v) = details else { return Vec::new() };
    let list = match v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => match ["missing", "recipients", "clients", "missingVariables"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array))
        {
            Some(a) => a.clone(),
            None => return o.iter().map(|(k, v)| format!("{k}: {}", flat(v))).collect(),
        },
        other => return vec![flat(other)],
    };
    list.iter()
        .map(|item| {
            let who = find_str(item, &["name", "client", "clientName", "phone"]);
            let what = ["missing", "variables", "missingVariables"]
                .iter()
                .find_map(|k| item.get(*k));
            match (who, what) {
                (Some(w), Some(m)) => format!("{w}: {}", flat(m)),
                _ => flat(item),
            }
        })
        .collect()
}

fn flat(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(flat).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
