//! Groups: name, clients, dialable phones, last batch status. `c` calls the selected one.
//! A group with its own agent or calling number says so on the pane's last line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
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
    .row_highlight_style(app.theme.selected())
    .highlight_symbol("›")
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(Some(app.groups_sel));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The line wraps in a narrow pane, on up to three rows, while the table keeps three.
    let rows_for = |line: &String| {
        let w = usize::from(inner.width.max(1));
        (line.chars().count().div_ceil(w)).clamp(1, 3) as u16
    };
    match setup_line(app).filter(|l| inner.height > rows_for(l) + 2) {
        Some(line) => {
            let rows = rows_for(&line);
            let [table_area, line_area] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(inner);
            frame.render_stateful_widget(table, table_area, &mut state);
            let p = Paragraph::new(line)
                .style(app.theme.dim())
                .wrap(Default::default());
            frame.render_widget(p, line_area);
        }
        None => frame.render_stateful_widget(table, inner, &mut state),
    }
}

/// The selected group's own agent, number and country, when it names an agent or number.
fn setup_line(app: &App) -> Option<String> {
    let g = app.groups.get(app.groups_sel)?;
    let number = g.agent_phone_number_id.as_ref().map(|id| {
        app.phone_numbers
            .iter()
            .find(|p| &p.phone_number_id == id)
            .map(|p| format!("{} ({})", p.phone_number, p.label))
            .unwrap_or_else(|| id.clone())
    });
    app.strings.group_setup_line(g, number.as_deref())
}
