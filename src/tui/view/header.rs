//! Top line: the batch watched, how fresh its data is, where it comes from, the clock
//! (marked when it is the demo's accelerated one). Narrow terminals drop the source first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::ConnState;
use crate::tui::state::app::App;
use crate::tui::view::names;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    let (dot, state, style) = match app.conn {
        ConnState::Idle => ("○", s.conn_idle().to_string(), t.dim()),
        ConnState::Connecting => ("◌", s.conn_connecting().to_string(), t.dim()),
        ConnState::Live => ("●", s.conn_live().to_string(), t.ok()),
        ConnState::Reconnecting(n) => ("◌", s.conn_reconnecting(n), t.error()),
        ConnState::Polling => ("◐", s.conn_polling().to_string(), t.key()),
        ConnState::Offline => ("✕", s.conn_offline().to_string(), t.error()),
        ConnState::Ended => ("■", s.conn_ended().to_string(), t.dim()),
    };
    let age = app
        .last_update
        .map(|at| format!(" ({})", s.age((app.now - at).num_seconds())))
        .unwrap_or_default();
    let mut clock = app.local_time(app.now).format("%H:%M:%S").to_string();
    if let Some(speed) = app.clock_speed {
        // The demo's clock runs faster than the wall's: say so next to it.
        clock = format!("{} ×{} {clock}", s.demo_time, s.number(speed));
    }
    let conn = Span::styled(format!("{dot} {state}"), style);
    let width = usize::from(area.width);
    // What must show: the clock and the connection; then the batch, then the source.
    // "callboard", " · ", the connection and its age, a space, the clock, a last space.
    let fixed = 9 + 3 + conn.width() + age.chars().count() + 1 + clock.chars().count() + 1;
    let source = format!(" · {}", app.source_label);
    let batch = app.batch.as_ref().map(|b| {
        let name = if b.name.is_empty() { &b.id } else { &b.name };
        let shown = if fixed + 3 + name.chars().count() + source.len() <= width {
            name.clone()
        } else {
            names::short(name)
        };
        names::fit(&shown, width.saturating_sub(fixed + 3))
    });
    let mut spans = vec![Span::styled("callboard", t.title())];
    let mut used = fixed;
    if let Some(name) = batch.filter(|n| n.chars().count() > 3) {
        used += 3 + name.chars().count();
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(name, t.title()));
    }
    spans.push(Span::raw(" · "));
    spans.push(conn);
    spans.push(Span::raw(age));
    if used + source.chars().count() <= width {
        spans.push(Span::raw(source));
    }
    let used: usize = spans.iter().map(|sp| sp.width()).sum();
    let pad = width.saturating_sub(used + clock.chars().count() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(clock, t.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
