//! Drawing helpers every pane shares: a pane's frame, a centred dialog area, "at 16:30"
//! times, and the rows wrapped text takes.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType};

use crate::tui::state::app::{App, Pane};

/// A pane's frame, highlighted when it has the keyboard.
pub fn pane_block<'a>(
    app: &App,
    pane: Pane,
    title: impl Into<ratatui::text::Line<'a>>,
) -> Block<'a> {
    let focused = app.focus == pane && app.overlay.is_none();
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(app.theme.border(focused))
        .title(title)
        .title_style(app.theme.title())
}

/// A centred rectangle for dialogs, at most `w`×`h`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// "a las 16:30" today, "el 25/08 a las 08:00" another day (English likewise).
pub fn at_time(app: &App, t: chrono::DateTime<chrono::Utc>) -> String {
    let local = app.local_time(t);
    let hm = local.format("%H:%M").to_string();
    let day = (local.date_naive() != app.local_time(app.now).date_naive())
        .then(|| local.format("%d/%m").to_string());
    app.strings.at_time(day.as_deref(), &hm)
}

/// Rows `lines` take when word-wrapped at `width`. Estimated from the display width,
/// with one spare row per wrapped line because words do not break where characters do.
pub fn wrapped_height(lines: &[ratatui::text::Line], width: u16) -> u16 {
    let w = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| {
            let rows = l.width().max(1).div_ceil(w);
            (rows + usize::from(rows > 1)) as u16
        })
        .sum()
}
