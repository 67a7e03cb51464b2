//! Groups: name, clients, dialable phones, last batch status. `c` calls the selected one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::layout::pane_block;
use crate::tui::state::app::{App, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let block = pane_block(
        app,
        Pane::Groups,
        format!(" {} ({}) ", s.groups, app.groups.len()),
    );
    if app.groups.is_empty() {
        let text = if app.groups_loaded {
            s.no_groups
        } else {
            s.loading
        };
        let p = Paragraph::new(text)
            .style(app.theme.dim())
            .block(block)
            .wrap(Default::default());
        frame.render_widget(p, area);
        return;
    }
    let rows = app.groups.iter().map(|g| {
        let last = g
            .last_batch
            .as_ref()
            .map(|l| Cell::from(s.batch_status_short(&l.status)).style(app.theme.batch(&l.status)))
            .unwrap_or_else(|| Cell::from("—"));
        Row::new(vec![
            Cell::from(g.name.clone()),
            Cell::from(g.clients_count.to_string()),
            Cell::from(g.valid_phones.to_string()),
            last,
        ])
    });
    let header =
        Row::new([s.col_name, s.col_clients, s.col_valid, s.col_last]).style(app.theme.dim());
    // In a narrow column the name matters more than the last batch's status.
    let last_w = if area.width < 56 { 0 } else { 12 };
    let table = Table::new(
        rows,
        [
            Constraint::Min(10),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(last_w),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(app.theme.selected())
    .highlight_symbol("›")
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(Some(app.groups_sel));
    frame.render_stateful_widget(table, area, &mut state);
}
