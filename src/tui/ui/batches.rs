//! Every batch, newest first: name, status, progress, created time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::super::app::{App, Pane};
use super::{local_hm, pane_block};

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
    let watched = app.batch.as_ref().map(|b| b.id.as_str());
    let rows = app.batches.iter().map(|b| {
        let mark = if Some(b.batch_id.as_str()) == watched {
            "▶ "
        } else {
            "  "
        };
        Row::new(vec![
            Cell::from(format!("{mark}{}", b.call_name)),
            Cell::from(s.batch_status(&b.status)).style(app.theme.batch(&b.status)),
            Cell::from(format!("{}/{}", b.finished_count, b.recipients_count)),
            Cell::from(local_hm(app, &b.created_at)),
        ])
    });
    let header =
        Row::new([s.col_name, s.col_status, s.col_progress, s.col_created]).style(app.theme.dim());
    // In a narrow column the name matters more than the creation time.
    let created_w = if area.width < 56 { 0 } else { 11 };
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(12),
            Constraint::Length(9),
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
