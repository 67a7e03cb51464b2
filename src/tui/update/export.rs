//! Exports of the recipients shown (the marked ones, or the filtered view): `e` CSV and
//! `E` JSON, written by the same functions as `callboard export` (`report::to_csv`,
//! `report::to_json`).

use std::path::PathBuf;

use crate::report;
use crate::tui::effect::Effect;
use crate::tui::state::app::App;
use crate::tui::state::export;

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

/// The file was written (how many rows, where), or why not.
pub fn exported(app: &mut App, result: Result<(usize, PathBuf), String>) {
    match result {
        Ok((n, path)) => app.info(app.strings.exported(n, &path.display().to_string())),
        Err(e) => app.error(e),
    }
    app.dirty = true;
}
