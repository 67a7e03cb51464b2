//! Every batch, newest first: name (marked when it was stopped or goes on in another
//! batch), status, progress, created time. `v` compares the selected one with the open one.

use crate::domain::StopCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::layout::pane_block;
use crate::tui::state::app::{App, Pane};
use crate::tui::view::names;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let block = pane_block(
        app,
        Pane::Batches,
        format!(" {} ({}) ", s.batches, app.batches.len()),
    );
    if app.batches.is_empty() {
        let text = if app.batches_loaded {
            s.no_batches
        } else {
            s.loading
        };
        frame.render_widget(
            Paragraph::new(text).style(app.theme.dim()).block(block),
            area,
        );
        return;
    }
    // In a narrow column the name matters more than the creation time.
    let created_w = if area.width < 48 { 0 } else { 6 };
    // Borders, the highlight symbol, the other columns and the gaps between them.
    let name_w = usize::from(area.width.saturating_sub(2 + 1 + 10 + 8 + created_w + 3));
    let watched = app.batch.as_ref().map(|b| b.id.as_str());
    let compared = app.compare.as_ref().map(|c| c.batch_id.as_str());
    let rows = app.batches.iter().map(|b| {
        // ▶ the open batch (B in the KPI pane), A the one it is compared with.
        let mark = if Some(b.batch_id.as_str()) == watched {
            "▶ "
        } else if Some(b.batch_id.as_str()) == compared {
            "A "
        } else {
            "  "
        };
        // A stopped batch says so before its name: ✕ breaker, ◷ calling window.
        let stop = match b.stop_reason.as_ref().map(|r| r.code) {
            Some(StopCode::WindowClosed) => Span::styled("◷ ", app.theme.key()),
            Some(_) => Span::styled("✕ ", app.theme.error()),
            None if b.continued_by.is_some() => Span::styled("→ ", app.theme.dim()),
            None => Span::raw(""),
        };
        // The group and the round ("· reintento 2") tell batches apart; the date is in
        // the created column.
        let room = name_w.saturating_sub(2 + stop.width());
        let name = names::fit(&names::short(&b.call_name), room);
        Row::new(vec![
            Cell::from(Line::from(vec![Span::raw(mark), stop, Span::raw(name)])),
            Cell::from(s.batch_status_short(&b.status)).style(app.theme.batch(&b.status)),
            Cell::from(format!("{}/{}", b.finished_count, b.recipients_count)),
            Cell::from(created(app, &b.created_at)),
        ])
    });
    let header =
        Row::new([s.col_name, s.col_status, s.col_progress, s.col_created]).style(app.theme.dim());
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(created_w),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(app.theme.selected())
    .highlight_symbol("›")
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(Some(app.batches_sel));
    frame.render_stateful_widget(table, area, &mut state);
}

/// When a batch was created, in five columns: the time today, the day otherwise (the
/// room goes to the name, which tells batches apart).
fn created(app: &App, rfc3339: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return String::new();
    };
    let local = app.local_time(t.with_timezone(&chrono::Utc));
    if local.date_naive() == app.local_time(app.now).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d/%m").to_string()
    }
}
