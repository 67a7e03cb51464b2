//! The watched batch: progress gauge, counts per status, why it stopped or goes on
//! elsewhere and its automatic retries, completions per minute, elapsed time and ETA
//! above the recipients table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout::{at_time, pane_block, wrapped_height};
use super::{progress, recipients};
use crate::tui::state::app::{App, Pane};
use crate::tui::state::batch::BatchState;
use crate::tui::view::names;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    let Some(b) = &app.batch else {
        let block = pane_block(app, Pane::Batch, format!(" {} ", s.batch));
        let p = Paragraph::new(s.no_batch)
            .style(t.dim())
            .block(block)
            .wrap(Default::default());
        frame.render_widget(p, area);
        return;
    };
    let name = if b.name.is_empty() {
        b.id.as_str()
    } else {
        b.name.as_str()
    };
    // The status must show whole: the name gives way (group and round kept).
    let status = s.batch_status(&b.status);
    let room = usize::from(area.width)
        .saturating_sub(2 + s.batch.chars().count() + 2 + 3 + status.chars().count() + 2);
    let name = if name.chars().count() <= room {
        name.to_string()
    } else {
        names::fit(&names::short(name), room)
    };
    let title = Line::from(vec![
        Span::raw(format!(" {}: {name} · ", s.batch)),
        Span::styled(status, t.batch(&b.status)),
        Span::raw(" "),
    ]);
    let block = pane_block(app, Pane::Batch, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if !b.loaded {
        frame.render_widget(Paragraph::new(s.loading).style(t.dim()), inner);
        return;
    }
    // The sparkline is the first thing to go when there is no room.
    let notes = notes(app, b);
    // Wrapped, so a long stop reason is read whole.
    let notes_h = if notes.is_empty() {
        0
    } else {
        wrapped_height(&notes, inner.width).min(inner.height / 3)
    };
    let p = progress::progress(b, app.now.timestamp());
    let spark = inner.height >= 16 + notes_h && progress::has_trend(app, b, &p);
    let spark_h = if spark { 3 } else { 0 };
    let [gauge, counts, notes_area, stats, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(notes_h),
        Constraint::Length(spark_h.max(1)),
        Constraint::Min(3),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(notes).wrap(ratatui::widgets::Wrap { trim: false }),
        notes_area,
    );

    progress::draw_gauge(app, &p, frame, gauge);
    let mut spans = Vec::new();
    for (status, n) in b.counts.iter().filter(|(_, n)| *n > 0) {
        spans.push(Span::styled(
            format!("{} {n}", s.recipient_status(status)),
            t.recipient(status),
        ));
        spans.push(Span::raw("  "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), counts);
    progress::draw_stats(app, b, &p, spark, frame, stats);
    recipients::draw(app, b, frame, table);
}

/// Lines about the batch's course: why it stopped (error colour: a breaker stop must not
/// pass unnoticed), its automatic retries, and the batches it continues or goes on in.
fn notes<'a>(app: &App, b: &BatchState) -> Vec<Line<'a>> {
    let s = app.strings;
    let t = &app.theme;
    let mut out = Vec::new();
    let stop = match (&b.stop_reason, &b.alert) {
        (Some(r), _) => Some(s.stop_reason(r.code, &r.message)),
        (None, Some((code, message))) => Some(s.stop_reason(*code, message)),
        (None, None) => None,
    };
    if let Some(text) = stop {
        out.push(Line::from(Span::styled(format!("✕ {text}"), t.error())));
    }
    if let Some(a) = &b.auto_retry {
        // A round whose time has come has started: it no longer "is" at that time.
        let at = a.next_at_unix.and_then(|u| {
            let text = at_time(app, chrono::DateTime::from_timestamp(u, 0)?);
            Some(if u <= app.now.timestamp() {
                s.began(&text)
            } else {
                text
            })
        });
        let ended = b.status.is_final().then(|| {
            b.rows
                .iter()
                .filter(|r| a.outcomes.contains(&r.status))
                .count()
        });
        out.push(Line::from(Span::styled(
            s.auto_retry(a, at.as_deref(), ended),
            t.key(),
        )));
    }
    if let Some(next) = &b.continued_by {
        out.push(Line::from(Span::styled(
            s.continued_by(&batch_name(app, next)),
            t.title(),
        )));
    }
    if let Some(prev) = &b.continues {
        out.push(Line::from(Span::styled(
            s.continues(&batch_name(app, prev)),
            t.dim(),
        )));
    }
    out
}

/// A batch's name from the list (what the supervisor reads in Lotes), its id otherwise.
fn batch_name(app: &App, id: &str) -> String {
    app.batches
        .iter()
        .find(|b| b.batch_id == id && !b.call_name.is_empty())
        .map_or_else(|| id.to_string(), |b| format!("«{}»", b.call_name))
}
