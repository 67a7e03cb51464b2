//! Campaign commands beyond watching: the do-not-call list (`o`), the KPI pane (`i`) and
//! its comparison with another batch (`v`), following a batch's continuation (`g`), and
//! exports of the recipients shown (`e` CSV, `E` JSON).

use crate::report::{self, BatchKpis};
use crate::api::OptOutView;

use super::action::Outcome;
use super::app::{App, Comparison, Confirm, Loadable, Overlay, Pane};
use super::batch_state::display_name;
use super::effect::Effect;
use super::export;
use super::update::watch;

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

/// `i`: the KPI pane of the watched batch in place of its recipients, or back.
pub fn toggle_kpi(app: &mut App, fx: &mut Vec<Effect>) {
    if app.focus == Pane::Kpi {
        app.kpi_open = false;
        app.focus = Pane::Batch;
        return;
    }
    if app.batch.is_none() {
        return app.error(app.strings.no_batch_selected);
    }
    open_kpi(app);
    if let Some(c) = &app.compare {
        fx.push(Effect::LoadReport(c.batch_id.clone()));
    }
}

fn open_kpi(app: &mut App) {
    app.kpi_open = true;
    app.transcript = None;
    app.focus = Pane::Kpi;
}

/// `v` in the batches list: compare the watched batch with the selected one (again on
/// the same one: stop comparing). The watched side stays live (computed from the stream);
/// the other side is the service's report of that batch.
pub fn compare(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(item) = app.batches.get(app.batches_sel) else {
        return;
    };
    let Some(b) = app.batch.as_ref() else {
        return app.error(app.strings.no_batch_selected);
    };
    if item.batch_id == b.id {
        return app.note(app.strings.compare_same);
    }
    if app
        .compare
        .as_ref()
        .is_some_and(|c| c.batch_id == item.batch_id)
    {
        app.compare = None;
        return app.info(app.strings.compare_cleared);
    }
    app.compare = Some(Comparison {
        batch_id: item.batch_id.clone(),
        name: item.call_name.clone(),
        kpis: Loadable::Loading,
    });
    fx.push(Effect::LoadReport(item.batch_id.clone()));
    open_kpi(app);
}

pub fn clear_compare(app: &mut App) {
    if app.compare.take().is_some() {
        app.info(app.strings.compare_cleared);
    }
}

/// The other side's KPIs arrived. A failed reload keeps the figures already shown.
pub fn report_loaded(app: &mut App, batch_id: &str, result: Outcome<Box<BatchKpis>>) {
    let Some(c) = app.compare.as_mut().filter(|c| c.batch_id == batch_id) else {
        return;
    };
    app.dirty = true;
    match result {
        Ok(k) => c.kpis = Loadable::Ready(k),
        Err(f) if matches!(c.kpis, Loadable::Ready(_)) => app.error(f.message),
        Err(f) => c.kpis = Loadable::Failed(f.message),
    }
}

/// `g`: open the batch that took over this one's undialled recipients.
pub fn follow_continuation(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(next) = app.batch.as_ref().and_then(|b| b.continued_by.clone()) else {
        return app.note(app.strings.no_continuation);
    };
    let name = app
        .batches
        .iter()
        .find(|b| b.batch_id == next)
        .map(|b| b.call_name.clone())
        .unwrap_or_default();
    watch(app, &next, &name, fx);
}

pub fn export_csv(app: &mut App, fx: &mut Vec<Effect>) {
    export_as(app, fx, false);
}

/// The same rows as the CSV, as `report::to_json` writes a batch (KPIs over those rows).
pub fn export_json(app: &mut App, fx: &mut Vec<Effect>) {
    export_as(app, fx, true);
}

fn export_as(app: &mut App, fx: &mut Vec<Effect>, json: bool) {
    let Some(b) = app.batch.as_ref() else {
        return app.error(app.strings.no_batch_selected);
    };
    let rows = b.export_rows();
    let contents = if json {
        serde_json::to_string_pretty(&report::to_json(&export::export_view(b, &rows)))
            .map_err(|e| e.to_string())
    } else {
        export::to_csv(b, &rows)
    };
    match contents {
        Ok(contents) => {
            let stamp = app.local_time(app.now).format("%Y%m%d-%H%M%S");
            let ext = if json { "json" } else { "csv" };
            let file = format!("callboard-{}-{stamp}.{ext}", export::safe_name(&b.id));
            fx.push(Effect::WriteFile {
                path: app.export_dir.join(file),
                contents,
                rows: rows.len(),
            });
        }
        Err(e) => app.error(e),
    }
}
