//! Confirm dialogs that say exactly what will happen and to how many recipients.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::layout::{centered, wrapped_height};
use super::preflight;
use crate::tui::bindings::Command;
use crate::tui::state::app::App;
use crate::tui::state::dialog::{CallDialog, Confirm, RetryChoice};
use crate::tui::state::loadable::Loadable;
use crate::tui::state::readiness::{Readiness, missing_variables};
use crate::tui::text::keys::describe;

pub fn draw(app: &App, c: &Confirm, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    let lang = s.lang;
    let width = area.width.min(80);
    let field_h = if matches!(c, Confirm::StartCall(_)) {
        3
    } else {
        0
    };
    // Rows the text may take: the rest is borders, the field, a blank row and y/n.
    let room = usize::from(area.height.saturating_sub(field_h + 4));
    let (cmd, lines) = match c {
        Confirm::StartCall(d) => (Command::Call, call_lines(app, d, room, width - 2)),
        Confirm::Retry { name, count, .. } => (
            Command::Retry,
            vec![Line::from(s.confirm_retry(name, *count))],
        ),
        Confirm::Cancel {
            name,
            stop,
            running,
            ..
        } => (
            Command::Cancel,
            vec![Line::from(s.confirm_cancel(name, *stop, *running))],
        ),
        Confirm::Resume { name, count, .. } => (
            Command::Resume,
            vec![Line::from(s.confirm_resume(name, *count))],
        ),
        Confirm::OptOut { phone, name } => (
            Command::OptOut,
            vec![Line::from(s.confirm_optout(phone, name))],
        ),
    };
    let field = match c {
        Confirm::StartCall(d) => Some(d),
        _ => None,
    };
    let text_h = wrapped_height(&lines, width.saturating_sub(2));
    // Borders, the text, the field, a blank row and the y/n row.
    let popup = centered(area, width, text_h + field_h + 4);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(format!(" {} ", describe(cmd, lang)))
        .title_style(t.title())
        .border_style(t.border(true));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [text_area, field_area, _, yes_no] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(field_h),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    frame.render_widget(Span::styled(s.confirm_yes_no, t.key()), yes_no);
    if let Some(d) = field {
        let mut ta = d.schedule.clone();
        ta.set_block(
            Block::bordered()
                .title(format!(" {} ", s.schedule))
                .border_style(t.border(d.schedule_focus)),
        );
        if !d.schedule_focus {
            ta.set_cursor_style(ratatui::style::Style::new());
        }
        frame.render_widget(&ta, field_area);
    }
}

/// The call dialog's text: what will happen, then the pre-flight (or, without one, who
/// the group detail says will be skipped), then what the service refused, if it did.
/// `room` is how many rows the text may take; details give way first.
fn call_lines<'a>(app: &'a App, d: &'a CallDialog, room: usize, width: u16) -> Vec<Line<'a>> {
    let s = app.strings;
    let t = &app.theme;
    let ready = match &d.preflight {
        Some(Loadable::Ready(p)) => Some(p.as_ref()),
        _ => None,
    };
    let headline = match ready {
        Some(p) => s.call_headline(&d.group_name, Readiness::of(p), d.skip_incomplete),
        None => s.confirm_call(&d.group_name, d.recipients),
    };
    let mut out = vec![Line::from(Span::styled(headline, t.title()))];
    // What went wrong comes right under the question: at 80×24 the bottom of a long
    // dialog is the first thing cut.
    if let Some(e) = &d.error {
        out.push(Line::from(Span::styled(e.as_str(), t.error())));
    }
    if let Some(p) = ready.filter(|p| !p.incomplete.is_empty()) {
        let advice =
            s.incomplete_advice(Readiness::of(p), &missing_variables(p), d.skip_incomplete);
        out.push(Line::from(Span::styled(advice, t.key())));
    }
    let phone = app
        .phone_numbers
        .get(d.phone_choice)
        .map(|p| format!("{} ({})", p.phone_number, p.label))
        .or_else(|| d.group_phone.clone())
        .unwrap_or_else(|| s.none.to_string());
    out.push(Line::from(format!("{}: ◀ {phone} ▶", s.phone_to_use)));
    if let Some(a) = &d.group_agent {
        out.push(Line::from(s.group_agent_calls(a)));
    }
    let tail = tail_lines(app, d, ready.is_some_and(|p| !p.incomplete.is_empty()));
    let used = wrapped_height(&out, width) + wrapped_height(&tail, width);
    let room = room.saturating_sub(usize::from(used));
    match (&d.preflight, ready) {
        (_, Some(p)) => out.extend(preflight::lines(
            app,
            p,
            d.retry == RetryChoice::Default,
            room,
            width,
        )),
        (Some(Loadable::Failed(why)), _) => {
            out.extend(detail_skips(app, d, room.saturating_sub(1)));
            out.push(Line::from(Span::styled(
                format!("{}: {why}", s.preflight_failed),
                t.key(),
            )));
        }
        (Some(Loadable::Loading), _) => {
            out.extend(detail_skips(app, d, room.saturating_sub(1)));
            out.push(Line::from(Span::styled(s.checking, t.dim())));
        }
        _ => out.extend(detail_skips(app, d, room)),
    }
    out.extend(tail);
    out
}

/// Today's account without a pre-flight: clients whose phone the group detail rejects.
fn detail_skips<'a>(app: &'a App, d: &'a CallDialog, room: usize) -> Vec<Line<'a>> {
    let s = app.strings;
    let mut out = Vec::new();
    if d.skipped.is_empty() {
        out.push(Line::from(format!("{}: {}", s.skipped, s.none)));
        return out;
    }
    out.push(Line::from(format!("{} ({}):", s.skipped, d.skipped.len())));
    let shown = room.saturating_sub(2).clamp(1, 4);
    for (name, why) in d.skipped.iter().take(shown) {
        out.push(Line::from(format!("  · {name}: {why}")));
    }
    if d.skipped.len() > shown {
        out.push(Line::from(format!("  · … +{}", d.skipped.len() - shown)));
    }
    out
}

/// After the pre-flight: what the service refused, the toggles, progress, the error.
fn tail_lines<'a>(app: &'a App, d: &'a CallDialog, incomplete: bool) -> Vec<Line<'a>> {
    let s = app.strings;
    let t = &app.theme;
    let mut out = Vec::new();
    if !d.missing.is_empty() {
        out.push(Line::from(Span::styled(
            format!("{}:", s.missing_vars),
            t.error(),
        )));
        for m in d.missing.iter().take(4) {
            out.push(Line::from(format!("  · {m}")));
        }
        if d.missing.len() > 4 {
            out.push(Line::from(format!("  · … +{}", d.missing.len() - 4)));
        }
    }
    if !d.missing.is_empty() || incomplete {
        let mark = if d.skip_incomplete { "[x]" } else { "[ ]" };
        out.push(Line::from(format!("{mark} {}", s.skip_incomplete)));
    }
    if d.active_batch.is_some() {
        let mark = if d.force { "[x]" } else { "[ ]" };
        out.push(Line::from(format!("{mark} {}", s.force)));
    }
    if d.submitting {
        out.push(Line::from(Span::styled(s.loading, t.dim())));
    }
    out
}
