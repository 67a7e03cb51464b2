//! The call dialog's pre-flight: the service's dry-run of the very request `y` would send,
//! asked when the dialog opens and again when the calling number, the schedule (when its
//! field loses focus) or `force` change. Nothing is dialled by it. An answer to an older
//! choice is ignored; a refusal (an older service without dry-runs, the network) leaves
//! the dialog as it was without it, with the reason.

use crate::domain::GroupId;
use crate::domain::preflight::Preflight;
use crate::tui::action::Outcome;
use crate::tui::effect::Effect;
use crate::tui::state::app::App;
use crate::tui::state::dialog::{PreflightKey, active_batch_of, call_dialog, current_call_dialog};
use crate::tui::state::loadable::Loadable;
use crate::tui::state::request::start_request;
use crate::tui::state::schedule::InvalidTime;

/// Ask for a dry-run if the choices changed since the last one. The service needs a
/// calling number, so nothing is asked until one is known.
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let invalid_time = app.strings.invalid_time;
    let asked = match current_call_dialog(&app.overlay) {
        Some(d) => start_request(app, d).map(|r| (d.group_id, r)),
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

/// The dry-run answered. A 409 means the group has an active batch: the dialog offers
/// `f` (force) as it does after a refused start.
pub fn loaded(app: &mut App, group_id: GroupId, generation: u64, result: Outcome<Box<Preflight>>) {
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
