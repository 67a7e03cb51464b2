//! The recipients table. Only the visible window of rows is built, so a batch of 10,000
//! costs what one of 40 does (building every `Row` is what is slow, not drawing).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::api::RecipientView;

use crate::tui::state::app::App;
use crate::tui::state::batch::BatchState;
use crate::tui::state::outcome::Verdict;
use crate::tui::state::recipient::{display_name, duration};
use crate::tui::text::duration::short_duration;
use crate::tui::text::labels::{sort_label, verdict_label};
use crate::tui::text::strings::Strings;
use crate::tui::view::theme::Theme;

pub const WIDTHS: [Constraint; 8] = [
    Constraint::Length(2),
    Constraint::Min(14),
    Constraint::Length(14),
    Constraint::Length(13),
    Constraint::Length(4),
    Constraint::Length(8),
    Constraint::Length(11),
    Constraint::Fill(2),
];

/// Below this width the attempts column gives its room to names and durations.
const ATTEMPTS_MIN_WIDTH: u16 = 62;

/// Below this width the summary (which would show a few letters) gives its room away.
const SUMMARY_MIN_WIDTH: u16 = 90;

/// [`WIDTHS`] for a table `width` columns wide.
pub fn widths(width: u16) -> [Constraint; 8] {
    let mut w = WIDTHS;
    if width < ATTEMPTS_MIN_WIDTH {
        w[4] = Constraint::Length(0);
    }
    if width < SUMMARY_MIN_WIDTH {
        w[7] = Constraint::Length(0);
    }
    w
}

/// Sign of a phone on the do-not-call list (the title explains it when one shows).
pub const OPTED_OUT: &str = "⊘";

/// One table row; also used by the bench's all-rows baseline. The first column holds the
/// mark (`*`) and the do-not-call sign.
pub fn row<'a>(
    r: &'a RecipientView,
    marked: bool,
    opted_out: bool,
    s: &Strings,
    t: &Theme,
) -> Row<'a> {
    let summary = r.summary.as_deref().unwrap_or("");
    Row::new(vec![
        Cell::from(Line::from(vec![
            Span::styled(if marked { "*" } else { " " }, t.marked()),
            Span::styled(if opted_out { OPTED_OUT } else { " " }, t.error()),
        ])),
        Cell::from(display_name(r)),
        Cell::from(r.phone_number.as_str()),
        Cell::from(s.recipient_status(&r.status)).style(t.recipient(&r.status)),
        Cell::from(if r.attempts > 0 {
            r.attempts.to_string()
        } else {
            String::new()
        }),
        Cell::from(
            duration(r)
                .map(|d| short_duration(d as i64))
                .unwrap_or_default(),
        ),
        verdict_cell(r, s, t),
        Cell::from(Line::from(summary)),
    ])
}

/// Whether the call achieved its goal, coloured: green achieved, red not.
fn verdict_cell<'a>(r: &RecipientView, s: &Strings, t: &Theme) -> Cell<'a> {
    let es = s.lang == crate::domain::Lang::Es;
    match Verdict::of(r) {
        Some(v @ Verdict::Success) => Cell::from(verdict_label(v, es)).style(t.ok()),
        Some(v @ Verdict::Failure) => Cell::from(verdict_label(v, es)).style(t.error()),
        Some(v) => Cell::from(verdict_label(v, es)).style(t.dim()),
        None => Cell::from(""),
    }
}

pub fn header(s: &Strings, t: &Theme) -> Row<'static> {
    Row::new([
        "",
        s.col_name,
        s.col_phone,
        s.col_status,
        s.col_attempts,
        s.col_duration,
        s.verdict,
        s.col_summary,
    ])
    .style(t.dim())
}

/// First visible row so that `selected` stays on screen, moving as little as possible.
pub fn window(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return 0;
    }
    let mut off = offset;
    if selected < off {
        off = selected;
    } else if selected >= off + height {
        off = selected + 1 - height;
    }
    off.min(len.saturating_sub(height))
}

pub fn draw(app: &App, b: &BatchState, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    // One line for the title, one for the column header.
    let height = area.height.saturating_sub(2) as usize;
    let len = b.view.len();
    let off = window(b.offset.get(), b.selected, height, len);
    b.offset.set(off);
    let end = (off + height).min(len);
    let mut any_opted_out = false;
    let rows: Vec<Row> = b.view[off..end]
        .iter()
        .map(|i| {
            let r = &b.rows[*i as usize];
            let opted_out = r.opted_out || app.optouts.contains(&r.phone_number);
            any_opted_out |= opted_out;
            row(r, b.marked.contains(&r.id), opted_out, s, t)
        })
        .collect();
    let es = app.es();
    let mut title = format!(
        "{} {} · {}: {}{}",
        s.recipients,
        s.showing(len, b.total()),
        s.sort,
        sort_label(b.sort, es),
        if b.sort_desc { " ↓" } else { "" }
    );
    if !b.filter.is_empty() || app.filter_editing {
        let cursor = if app.filter_editing { "▏" } else { "" };
        title.push_str(&format!(" · {}: {}{cursor}", s.filter, b.filter));
    }
    if !b.marked.is_empty() {
        title.push_str(&format!(" · {} {}", b.marked.len(), s.marked));
    }
    if any_opted_out {
        title.push_str(&format!(" · {}", s.optout_legend));
    }
    let [title_area, table_area] =
        ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(title).style(t.title()),
        title_area,
    );
    let table = Table::new(rows, widths(table_area.width))
        .header(header(s, t))
        .row_highlight_style(t.selected())
        .highlight_symbol("›")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let selected = (len > 0).then(|| b.selected - off);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, table_area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn window_follows_the_selection() {
        assert_eq!(window(0, 0, 10, 100), 0);
        assert_eq!(window(0, 9, 10, 100), 0);
        assert_eq!(window(0, 10, 10, 100), 1);
        assert_eq!(window(50, 20, 10, 100), 20);
        assert_eq!(window(95, 99, 10, 100), 90);
        assert_eq!(window(3, 2, 10, 5), 0);
    }
}
