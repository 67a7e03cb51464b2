//! One recipient: variables sent, status history, summary, verdict, duration, the
//! conversation as a chat, and where the audio is (`p` plays it).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::pane_block;
use crate::api::RecipientView;
use crate::tui::state::app::{App, Pane};
use crate::tui::state::outcome::Verdict;
use crate::tui::state::recipient::{display_name, duration};
use crate::tui::text::duration::short_duration;
use crate::tui::text::labels::{value_text, verdict_label};
use crate::tui::text::termination::termination_reason;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    let view = app.transcript.as_ref();
    let row = view.and_then(|v| app.batch.as_ref()?.row_by_id(&v.recipient_id));
    let Some(r) = row else {
        let block = pane_block(app, Pane::Transcript, format!(" {} ", s.transcript));
        frame.render_widget(Paragraph::new(s.no_transcript).block(block), area);
        return;
    };
    let title = format!(
        " {}: {} · {} ",
        s.transcript,
        display_name(r),
        r.phone_number
    );
    let block = pane_block(app, Pane::Transcript, title);
    let mut lines = facts(app, r);
    lines.extend(story(app, r));
    lines.extend(conversation(app, r));
    lines.push(Line::from(""));
    let audio = match (&r.audio_url, &r.conversation_id) {
        (Some(url), _) => format!("{}: {url}  (p)", s.audio),
        (None, Some(id)) => format!("{}: /api/conversations/{id}/audio  (p)", s.audio),
        (None, None) => format!("{}: —", s.audio),
    };
    lines.push(Line::from(Span::styled(audio, t.dim())));
    let scroll = view.map_or(0, |v| v.scroll);
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(p, area);
}

/// Status, duration, verdict, the data collected and the variables sent.
fn facts<'a>(app: &'a App, r: &'a RecipientView) -> Vec<Line<'a>> {
    let (s, t) = (app.strings, &app.theme);
    let bold = t.title();
    let mut lines: Vec<Line> = Vec::new();
    let status_line = Line::from(vec![
        Span::styled(format!("{}: ", s.col_status), bold),
        Span::styled(s.recipient_status(&r.status), t.recipient(&r.status)),
        Span::raw(format!(
            "   {}: {}",
            s.col_duration,
            duration(r)
                .map(|d| short_duration(d as i64))
                .unwrap_or_else(|| "—".into())
        )),
        Span::raw(format!(
            "   {}: {}",
            s.verdict,
            Verdict::of(r).map_or("—", |v| verdict_label(v, app.es()))
        )),
    ]);
    lines.push(status_line);
    if !r.data_collection.is_empty() {
        let data: Vec<String> = r
            .data_collection
            .iter()
            .map(|(k, v)| format!("{k}: {}", value_text(v, app.es())))
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", s.collected), bold),
            Span::raw(data.join(" · ")),
        ]));
    }
    if !r.variables.is_empty() {
        let vars: Vec<String> = r
            .variables
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", s.variables), bold),
            Span::raw(vars.join(" · ")),
        ]));
    }
    lines
}

/// The statuses seen, the call's summary and why it ended.
fn story<'a>(app: &'a App, r: &'a RecipientView) -> Vec<Line<'a>> {
    let (s, t) = (app.strings, &app.theme);
    let bold = t.title();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(h) = app.batch.as_ref().and_then(|b| b.history.get(&r.id)) {
        let steps: Vec<String> = h
            .iter()
            .map(|(at, st)| {
                let when = chrono::DateTime::from_timestamp(*at, 0)
                    .map(|d| app.local_time(d).format("%H:%M:%S").to_string())
                    .unwrap_or_default();
                format!("{when} {}", s.recipient_status(st))
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", s.history), bold),
            Span::raw(steps.join(" → ")),
        ]));
    }
    if let Some(sum) = &r.summary {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", s.summary), bold),
            Span::raw(sum.as_str()),
        ]));
    }
    if let Some(reason) = &r.termination_reason {
        lines.push(Line::from(Span::styled(
            termination_reason(reason, app.es()),
            t.dim(),
        )));
    }
    lines
}

/// The conversation as a chat, after a blank line.
fn conversation<'a>(app: &'a App, r: &'a RecipientView) -> Vec<Line<'a>> {
    let (s, t) = (app.strings, &app.theme);
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(""));
    match &r.transcript {
        Some(turns) if !turns.is_empty() => {
            for turn in turns {
                let agent = turn.role == "agent";
                let (who, style) = if agent {
                    (s.agent, t.agent())
                } else {
                    (s.user, t.user())
                };
                let at = turn
                    .time_in_call_secs
                    .map(|x| format!("[{}] ", short_duration(x as i64)))
                    .unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(format!("{at}{who}: "), style),
                    Span::raw(turn.message.as_str()),
                ]));
            }
        }
        _ => lines.push(Line::from(Span::styled(s.no_transcript, t.dim()))),
    }
    lines
}
