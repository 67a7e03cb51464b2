//! The batch's progress: the gauge, and the line with elapsed time, the estimated end and
//! the pace. Cancelled recipients are not progress: a cancelled batch shows how far it
//! got, not a full bar. A batch that ended stops its clock at its last change.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Sparkline};

use super::layout::at_time;
use crate::domain::RecipientStatus;
use crate::tui::state::app::App;
use crate::tui::state::batch::BatchState;
use crate::tui::text::duration::short_duration;

/// What the progress line says, computed from the batch and the clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Calls that ended (cancelled recipients excluded).
    pub done: usize,
    pub cancelled: usize,
    pub total: usize,
    /// Seconds since the batch started dialling, up to its end once it ended; None
    /// before it starts or when the times are unknown.
    pub elapsed: Option<i64>,
    /// When the batch starts, if it is scheduled for later.
    pub starts_at: Option<i64>,
    /// When it ended (its last change), once final.
    pub ended_at: Option<i64>,
    /// Seconds left at the pace so far.
    pub eta: Option<i64>,
    /// Calls ended per minute so far.
    pub pace: Option<f64>,
}

pub fn progress(b: &BatchState, now: i64) -> Progress {
    let cancelled = b.count(&RecipientStatus::Cancelled);
    let done = b.finished().saturating_sub(cancelled);
    let total = b.total();
    let start = b.created_at_unix.max(b.scheduled_time_unix);
    let known = b.created_at_unix > 0;
    let ended_at = (b.status.is_final() && b.last_updated_at_unix > 0)
        .then_some(b.last_updated_at_unix.max(start));
    let starts_at = (known && now < start && !b.status.is_final()).then_some(start);
    let end = ended_at.unwrap_or(now);
    let elapsed = (known && starts_at.is_none()).then(|| (end - start).max(0));
    let pace = elapsed
        .filter(|e| *e >= 1 && done > 0)
        .map(|e| done as f64 * 60.0 / e as f64);
    let left = total.saturating_sub(done + cancelled);
    let eta = match (ended_at, pace) {
        (None, Some(p)) if left > 0 => Some((left as f64 * 60.0 / p).round() as i64),
        _ => None,
    };
    Progress {
        done,
        cancelled,
        total,
        elapsed,
        starts_at,
        ended_at,
        eta,
        pace,
    }
}

pub fn draw_gauge(app: &App, p: &Progress, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let ratio = if p.total == 0 {
        0.0
    } else {
        p.done as f64 / p.total as f64
    };
    let mut label = s.gauge_label(p.done, p.total, (ratio * 100.0).round() as u32);
    if p.cancelled > 0 {
        label.push_str(&format!(" · {}", s.cancelled_count(p.cancelled)));
    }
    frame.render_widget(
        Gauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(label)
            .gauge_style(app.theme.ok()),
        area,
    );
}

/// Enough history for the per-minute sparkline to show a trend: a lone bar (the first
/// minutes of a batch) reads as a stray mark.
pub fn has_trend(app: &App, b: &BatchState, p: &Progress) -> bool {
    let minutes = b.per_minute(p.ended_at.unwrap_or(app.now.timestamp()), 30);
    p.elapsed.is_some_and(|e| e >= 180) && minutes.iter().filter(|m| **m > 0).count() >= 2
}

/// The elapsed/end/pace line, after the per-minute sparkline when `spark`.
pub fn draw_stats(
    app: &App,
    b: &BatchState,
    p: &Progress,
    spark: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let text = Line::from(stats_text(app, p));
    if !spark {
        frame.render_widget(Paragraph::new(text).wrap(Default::default()), area);
        return;
    }
    let minutes = b.per_minute(p.ended_at.unwrap_or(app.now.timestamp()), 30);
    let [chart, _, info] = Layout::horizontal([
        Constraint::Length(30),
        Constraint::Length(2),
        Constraint::Min(10),
    ])
    .areas(area);
    frame.render_widget(
        Sparkline::default().data(&minutes).style(app.theme.ok()),
        chart,
    );
    frame.render_widget(Paragraph::new(text).wrap(Default::default()), info);
}

fn stats_text<'a>(app: &App, p: &Progress) -> Vec<Span<'a>> {
    let s = app.strings;
    let at = |u: i64| {
        chrono::DateTime::from_timestamp(u, 0)
            .map(|d| at_time(app, d))
            .unwrap_or_default()
    };
    if let Some(start) = p.starts_at {
        return vec![Span::raw(s.starts_at(&at(start)))];
    }
    let elapsed = p.elapsed.map_or_else(|| "—".to_string(), short_duration);
    let end = match (p.ended_at, p.eta) {
        (Some(t), _) => s.ended_at(&at(t)),
        (None, Some(eta)) => format!("{} {}", s.eta, short_duration(eta)),
        (None, None) => format!("{} —", s.eta),
    };
    let pace = p.pace.map_or_else(|| "—".to_string(), |x| s.number(x));
    vec![Span::raw(format!(
        "{} {elapsed} · {end} · {} {pace} {}",
        s.elapsed, s.pace, s.per_minute
    ))]
}
