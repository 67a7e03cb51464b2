//! The KPI pane (`i`) of the watched batch and its comparison with another batch (`v`):
//! the watched side is computed from the stream, the other is the service's report.

use crate::report::BatchKpis;
use crate::tui::action::Outcome;
use crate::tui::effect::Effect;
use crate::tui::state::app::{App, Comparison, Pane};
use crate::tui::state::loadable::Loadable;

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
