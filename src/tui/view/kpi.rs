//! `i`: the watched batch's KPIs as horizontal bars (pick-up, voicemail, failure, success,
//! coverage), then average duration, calls per hour, cost and retries. With a batch
//! picked with `v` in the batches list, both side by side (A = that batch, B = the
//! watched one) with the difference B − A, as `report::compare` defines it.
//!
//! ```text
//! │                A: Lote del lunes        B: Lote de hoy           Δ B−A │
//! │Contestadas      55% ██████░░░░░          62% ███████░░░░          +7 pp │
//! ```
//! Bars are `LineGauge`s drawn with █ and ░, so they read the same without colour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

use crate::api::AutoRetryView;
use crate::domain::RecipientStatus;
use crate::report::BatchKpis;

use super::kpi_format::{duration, num_delta, number, rate_delta, secs_delta};
use super::layout::pane_block;
use crate::tui::state::app::{App, Pane};
use crate::tui::state::loadable::Loadable;
use crate::tui::text::strings::Strings;
use crate::tui::view::names;
use crate::tui::view::theme::Theme;

const LABEL_W: u16 = 15;
const DELTA_W: u16 = 9;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    let Some(b) = &app.batch else {
        let block = pane_block(app, Pane::Kpi, format!(" {} ", s.kpi));
        frame.render_widget(Paragraph::new(s.no_batch).style(t.dim()).block(block), area);
        return;
    };
    let name = if b.name.is_empty() { &b.id } else { &b.name };
    let block = pane_block(app, Pane::Kpi, format!(" {}: {name} ", s.kpi));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(k) = &b.kpis else {
        frame.render_widget(Paragraph::new(s.loading).style(t.dim()), inner);
        return;
    };
    let rows = Rows(inner);
    match app.compare.as_ref().map(|c| (c, &c.kpis)) {
        Some((c, Loadable::Ready(other))) => {
            let a = side_label(app, &c.batch_id, &c.name, None);
            let b_label = side_label(app, &b.id, name, Some(b.created_at_unix));
            compared(app, frame, &rows, other, k, (&a, &b_label));
        }
        state => {
            let n = single(app, frame, &rows, k, b.auto_retry.as_ref());
            let note = match state {
                Some((c, Loadable::Failed(why))) => {
                    Span::styled(format!("{}: {why}", s.comparing(&c.name)), t.error())
                }
                Some((c, _)) => {
                    Span::styled(format!("{}: {}", s.comparing(&c.name), s.loading), t.dim())
                }
                None => Span::styled(s.compare_hint, t.dim()),
            };
            rows.put(frame, n + 1, Paragraph::new(Line::from(note)));
        }
    }
}

/// A side of the comparison: the group (and round) and when the batch was created, what
/// tells two batches of one group apart ("Cardiología · 23/08 09:00").
fn side_label(app: &App, id: &str, name: &str, created_unix: Option<i64>) -> String {
    let created = app
        .batches
        .iter()
        .find(|b| b.batch_id == id)
        .and_then(|b| chrono::DateTime::parse_from_rfc3339(&b.created_at).ok())
        .map(|t| t.timestamp())
        .or(created_unix.filter(|u| *u > 0))
        .and_then(|u| chrono::DateTime::from_timestamp(u, 0))
        .map(|t| app.local_time(t).format("%d/%m %H:%M").to_string());
    let short = names::short(name);
    match created {
        Some(at) => format!("{short} · {at}"),
        None => short,
    }
}

/// One line per row of the pane's inside; rows past its bottom are not drawn.
struct Rows(Rect);

impl Rows {
    fn at(&self, i: usize) -> Option<Rect> {
        let y = self.0.y.checked_add(u16::try_from(i).ok()?)?;
        (y < self.0.bottom()).then_some(Rect {
            y,
            height: 1,
            ..self.0
        })
    }

    fn put(&self, frame: &mut Frame, i: usize, w: impl ratatui::widgets::Widget) {
        if let Some(r) = self.at(i) {
            frame.render_widget(w, r);
        }
    }
}

/// The five rates, with the colour of the status each one counts.
fn rates<'a>(s: &'a Strings, t: &Theme, k: &BatchKpis) -> [(&'a str, Option<f64>, Style); 5] {
    [
        (
            s.kpi_pickup,
            k.pickup_rate,
            t.recipient(&RecipientStatus::Completed),
        ),
        (
            s.kpi_voicemail,
            k.voicemail_rate,
            t.recipient(&RecipientStatus::Voicemail),
        ),
        (
            s.kpi_failed,
            k.failure_rate,
            t.recipient(&RecipientStatus::Failed),
        ),
        (s.kpi_success, k.success_rate, t.ok()),
        (s.kpi_coverage, k.coverage, t.agent()),
    ]
}

fn bar<'a>(s: &Strings, t: &Theme, v: Option<f64>, style: Style) -> LineGauge<'a> {
    LineGauge::default()
        .ratio(v.unwrap_or(0.0).clamp(0.0, 1.0))
        .label(format!("{:>4}", s.percent(v)))
        .filled_symbol("█")
        .unfilled_symbol("░")
        .filled_style(style)
        .unfilled_style(t.dim())
}

/// Label and the rest of a row.
fn split(r: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Length(LABEL_W), Constraint::Min(1)]).areas(r)
}

/// Label, A, B and the difference.
fn split4(r: Rect) -> [Rect; 4] {
    Layout::horizontal([
        Constraint::Length(LABEL_W),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(DELTA_W),
    ])
    .spacing(1)
    .areas(r)
}

/// Returns the rows used.
fn single(
    app: &App,
    frame: &mut Frame,
    rows: &Rows,
    k: &BatchKpis,
    auto: Option<&AutoRetryView>,
) -> usize {
    let s = app.strings;
    let t = &app.theme;
    let counts = format!(
        "{} · {} {} · {} {} · {} {}",
        s.kpi_counts(k.finished, k.total),
        s.recipient_status(&RecipientStatus::Completed),
        k.completed,
        s.recipient_status(&RecipientStatus::Voicemail),
        k.voicemail,
        s.recipient_status(&RecipientStatus::Failed),
        k.failed
    );
    rows.put(frame, 0, Paragraph::new(counts).style(t.dim()));
    for (i, (label, v, style)) in rates(s, t, k).into_iter().enumerate() {
        if let Some(r) = rows.at(2 + i) {
            let [l, g] = split(r);
            frame.render_widget(Span::styled(label, t.title()), l);
            frame.render_widget(bar(s, t, v, style), g);
        }
    }
    let pairs = [
        (s.kpi_avg_duration, duration(k.average_duration_secs)),
        (s.kpi_per_hour, number(s, k.calls_per_hour)),
        (s.kpi_cost, s.cost_value(k.cost_total, k.cost_known_for)),
        (s.kpi_retries, s.retries_value(k.retry_count, auto)),
    ];
    // One figure a row: costs come with a count ("1,3 créditos (8 llamadas)") that two
    // columns at 80 wide would cut.
    for (i, (label, value)) in pairs.into_iter().enumerate() {
        if let Some(r) = rows.at(8 + i) {
            let [l, v] = split(r);
            frame.render_widget(Span::styled(label, t.title()), l);
            frame.render_widget(Span::raw(value), v);
        }
    }
    12
}

fn compared(
    app: &App,
    frame: &mut Frame,
    rows: &Rows,
    a: &BatchKpis,
    b: &BatchKpis,
    names: (&str, &str),
) {
    let s = app.strings;
    let t = &app.theme;
    let text4 = |frame: &mut Frame, i: usize, cells: [String; 4], style: Style| {
        if let Some(r) = rows.at(i) {
            for (j, (cell, area)) in cells.into_iter().zip(split4(r)).enumerate() {
                let st = if j == 0 { t.title() } else { style };
                // One column left blank: side by side, the headers must not run together.
                let text = names::fit(&cell, usize::from(area.width.saturating_sub(1)));
                frame.render_widget(Span::styled(text, st), area);
            }
        }
    };
    text4(
        frame,
        0,
        [
            String::new(),
            format!("A: {}", names.0),
            format!("B: {}", names.1),
            "Δ B−A".into(),
        ],
        t.title(),
    );
    text4(
        frame,
        1,
        [
            String::new(),
            s.kpi_counts(a.finished, a.total),
            s.kpi_counts(b.finished, b.total),
            String::new(),
        ],
        t.dim(),
    );
    let (ra, rb) = (rates(s, t, a), rates(s, t, b));
    for (i, ((label, va, style), (_, vb, _))) in ra.into_iter().zip(rb).enumerate() {
        if let Some(r) = rows.at(3 + i) {
            let [l, ga, gb, d] = split4(r);
            frame.render_widget(Span::styled(label, t.title()), l);
            frame.render_widget(bar(s, t, va, style), ga);
            frame.render_widget(bar(s, t, vb, style), gb);
            frame.render_widget(Span::raw(rate_delta(va, vb)), d);
        }
    }
    let stats = compared_stats(s, a, b);
    for (i, (label, va, vb, d)) in stats.into_iter().enumerate() {
        text4(frame, 9 + i, [label.to_string(), va, vb, d], Style::new());
    }
}

/// The comparison's figures under the bars: (label, A, B, B − A).
fn compared_stats(
    s: &Strings,
    a: &BatchKpis,
    b: &BatchKpis,
) -> [(&'static str, String, String, String); 4] {
    [
        (
            s.kpi_avg_duration,
            duration(a.average_duration_secs),
            duration(b.average_duration_secs),
            secs_delta(a.average_duration_secs, b.average_duration_secs),
        ),
        (
            s.kpi_per_hour,
            number(s, a.calls_per_hour),
            number(s, b.calls_per_hour),
            num_delta(s, a.calls_per_hour, b.calls_per_hour),
        ),
        (
            s.kpi_cost,
            number(s, a.cost_total),
            number(s, b.cost_total),
            num_delta(s, a.cost_total, b.cost_total),
        ),
        (
            s.kpi_retries,
            a.retry_count.to_string(),
            b.retry_count.to_string(),
            num_delta(
                s,
                Some(f64::from(a.retry_count)),
                Some(f64::from(b.retry_count)),
            ),
        ),
    ]
}
