//! Drawing: a pure function of the state (the recipients table also records its scroll
//! offset, as ratatui's own `TableState` does).
//!
//! ```text
//! ┌ header: source · connection (age) · batch · clock ─────────────────────────┐
//! │ Groups          │ Batch: gauge, counts, sparkline, elapsed/ETA             │
//! │─────────────────│ recipients table (visible rows only)                     │
//! │ Batches         │   or the transcript of one recipient, or the KPI bars    │
//! ├ status line: results and errors ──────────────────────────────────────────┤
//! └ key hints for the focused pane (from the keymap) ─────────────────────────┘
//! ```
//! Below 100 columns only the focused pane is shown (tab moves between them).

mod batch;
mod batches;
mod confirm;
mod groups;
mod header;
mod help;
mod kpi;
mod kpi_format;
mod layout;
pub mod names;
mod preflight;
pub mod progress;
pub mod recipients;
mod status;
pub mod theme;
mod transcript;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::state::app::{App, Pane};
use crate::tui::state::dialog::Overlay;

/// Narrower than this, one pane at a time.
pub const NARROW_WIDTH: u16 = 100;

pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    // The header always gets the first row; tiny terminals get nothing else.
    let [head, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    header::draw(app, frame, head);
    if rest.height < 4 {
        return;
    }
    // A long notice (a file's whole path, a URL) wraps onto up to three rows.
    let notice_h = app.notice.as_ref().map_or(1, |n| {
        let w = usize::from(rest.width.max(1));
        (n.text.chars().count() + 2).div_ceil(w).clamp(1, 3) as u16
    });
    let [body, notice, hints] = Layout::vertical([
        Constraint::Min(2),
        Constraint::Length(notice_h),
        Constraint::Length(1),
    ])
    .areas(rest);
    if body.width < NARROW_WIDTH {
        draw_pane(app, frame, body, app.focus);
    } else {
        let left_w = (body.width * 35 / 100).clamp(40, 60);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(20)]).areas(body);
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(left);
        draw_pane(app, frame, top, Pane::Groups);
        draw_pane(app, frame, bottom, Pane::Batches);
        draw_pane(app, frame, right, right_pane(app));
    }
    status::draw_notice(app, frame, notice);
    status::draw_hints(app, frame, hints);
    match &app.overlay {
        Some(Overlay::Help) => help::draw(app, frame, body),
        Some(Overlay::Confirm(c)) => confirm::draw(app, c, frame, body),
        None => {}
    }
}

fn draw_pane(app: &App, frame: &mut Frame, area: Rect, pane: Pane) {
    match pane {
        Pane::Groups => groups::draw(app, frame, area),
        Pane::Batches => batches::draw(app, frame, area),
        Pane::Batch => batch::draw(app, frame, area),
        Pane::Transcript => transcript::draw(app, frame, area),
        Pane::Kpi => kpi::draw(app, frame, area),
    }
}

/// The right column shows the focused one of batch, transcript and KPIs; with the focus
/// on the left, the transcript or the KPIs when open, else the batch.
fn right_pane(app: &App) -> Pane {
    match app.focus {
        Pane::Batch => Pane::Batch,
        Pane::Transcript if app.transcript.is_some() => Pane::Transcript,
        Pane::Kpi if app.kpi_open => Pane::Kpi,
        _ if app.transcript.is_some() => Pane::Transcript,
        _ if app.kpi_open => Pane::Kpi,
        _ => Pane::Batch,
    }
}
