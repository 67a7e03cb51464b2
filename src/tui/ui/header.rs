//! Top line: where the data comes from, how fresh it is, the batch watched, the clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::action::ConnState;
use super::super::app::App;

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
    let clock = app.local_time(app.now).format("%H:%M:%S").to_string();
    let mut spans = vec![
        Span::styled("callboard", t.title()),
        Span::raw(" · "),
        Span::raw(app.source_label.clone()),
        Span::raw(" · "),
        Span::styled(format!("{dot} {state}"), style),
        Span::raw(age),
    ];
    let used: usize = spans.iter().map(|sp| sp.width()).sum();
    // The clock always shows; the batch name gets what room is left.
    let room = (area.width as usize).saturating_sub(used + clock.len() + 2);
    if let Some(b) = &app.batch {
        let name = if b.name.is_empty() { &b.id } else { &b.name };
        let full = format!(" · {}: {name}", s.batch);
        if full.chars().count() <= room {
            spans.push(Span::raw(full));
        } else if room > 8 {
            let cut: String = full.chars().take(room - 1).collect();
            spans.push(Span::raw(format!("{cut}…")));
        }
    }
    let used: usize = spans.iter().map(|sp| sp.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + clock.len() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(clock, t.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
