//! The do-not-call list: `o` asks before putting the selected recipient's phone on it;
//! the service's answers mark the rows.

use crate::api::OptOutView;
use crate::tui::action::Outcome;
use crate::tui::effect::Effect;
use crate::tui::state::app::App;
use crate::tui::state::dialog::{Confirm, Overlay};
use crate::tui::state::recipient::display_name;

/// `o`: ask before putting the selected recipient's phone on the do-not-call list.
pub fn ask_opt_out(app: &mut App) {
    let Some(b) = app.batch.as_ref() else {
        return app.error(app.strings.no_batch_selected);
    };
    let Some(r) = b.selected_row() else { return };
    let c = Confirm::OptOut {
        phone: r.phone_number.clone(),
        name: display_name(r).to_string(),
    };
    app.overlay = Some(Overlay::Confirm(Box::new(c)));
}

/// The service saved the opt-out (or had it already): say what it said, mark the row at
/// once, and reload the list so it matches the service's.
pub fn opt_out_added(app: &mut App, result: Outcome<(String, OptOutView)>, fx: &mut Vec<Effect>) {
    app.dirty = true;
    match result {
        Ok((message, entry)) => {
            app.optouts.insert(entry.phone_number);
            app.info(message);
            fx.push(Effect::LoadOptOuts);
        }
        Err(f) => app.error(f.message),
    }
}

pub fn optouts_loaded(app: &mut App, result: Outcome<Vec<OptOutView>>) {
    match result {
        Ok(list) => {
            app.optouts = list.into_iter().map(|o| o.phone_number).collect();
            app.dirty = true;
        }
        // A service without the list, or one that shows it to the admin only: rows are
        // marked from each recipient's `opted_out` and this session's own opt-outs.
        Err(f) if matches!(f.status, Some(403..=405)) => {}
        Err(f) => {
            app.error(f.message);
            app.dirty = true;
        }
    }
}
