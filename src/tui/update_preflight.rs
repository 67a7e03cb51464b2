//! The call dialog's pre-flight: the service's dry-run of the very request `y` would send,
//! asked when the dialog opens and again when the calling number, the schedule (when its
//! field loses focus) or `force` change. Nothing is dialled by it. An answer to an older
//! choice is ignored; a refusal (an older service without dry-runs, the network) leaves
//! the dialog as it was without it, with the reason.

use crate::api::StartCallRequest;
use crate::domain::GroupId;
use crate::domain::preflight::Preflight;

use super::action::Outcome;
use super::app::{App, CallDialog, Loadable, PreflightKey};
use super::effect::Effect;
use super::update_confirm::{InvalidTime, active_batch_of, call_dialog, parse_schedule};

/// The request the dialog's choices make: the dry-run and the real start send the same.
pub(super) fn request(app: &App, d: &CallDialog) -> Result<StartCallRequest, InvalidTime> {
    let text = d.schedule.lines().join(" ");
    let scheduled_time_unix = parse_schedule(&text, app.tz, app.now)?;
    Ok(StartCallRequest {
        user_id: app.acting_user,
        agent_phone_number_id: app
            .phone_numbers
            .get(d.phone_choice)
            .map(|p| p.phone_number_id.clone()),
        scheduled_time_unix,
        skip_incomplete: d.skip_incomplete,
        force: d.force,
        retry_policy: d.retry.policy(),
    })
}

/// Ask for a dry-run if the choices changed since the last one. The service needs a
/// calling number, so nothing is asked until one is known.
pub(super) fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let invalid_time = app.strings.invalid_time;
    let asked = match current(app) {
        Some(d) => request(app, d).map(|r| (d.group_id, r)),
        None => return,
    };
    let Some(d) = call_dialog(&mut app.overlay) else {
        return;
    };
    let (group_id, request) = match asked {
        Ok(x) => x,
        Err(InvalidTime) => {
            d.error = Some(invalid_time.to_string());
            return;
        }
    };
    let Some(phone_number_id) = request.agent_phone_number_id.clone() else {
        return;
    };
    let key = PreflightKey {
        phone_number_id,
        scheduled_time_unix: request.scheduled_time_unix,
        force: request.force,
        retry: d.retry,
    };
    if d.preflight.is_some() && d.preflight_key.as_ref() == Some(&key) {
        return;
    }
    d.preflight_gen += 1;
    d.preflight_key = Some(key);
    d.preflight = Some(Loadable::Loading);
    fx.push(Effect::Preflight {
        group_id,
        request,
        generation: d.preflight_gen,
    });
}

fn current(app: &App) -> Option<&CallDialog> {
    match app.overlay.as_ref()? {
        super::app::Overlay::Confirm(c) => match c.as_ref() {
            super::app::Confirm::StartCall(d) => Some(d),
            _ => None,
        },
        _ => None,
    }
}

/// The dry-run answered. A 409 means the group has an active batch: the dialog offers
/// `f` (force) as it does after a refused start.
pub(super) fn loaded(
    app: &mut App,
    group_id: GroupId,
    generation: u64,
    result: Outcome<Box<Preflight>>,
) {
    let Some(d) = call_dialog(&mut app.overlay) else {
        return;
    };
    if d.group_id != group_id || d.preflight_gen != generation {
        return;
    }
    d.preflight = Some(match result {
        Ok(p) => Loadable::Ready(p),
        Err(f) => {
            if f.status == Some(409) {
                d.active_batch = active_batch_of(&f);
            }
            Loadable::Failed(f.message)
        }
    });
    app.dirty = true;
}
