//! The pre-flight in the call dialog: who is left out (grouped by reason), who lacks
//! variables, the agent's variables, the calling window, the estimate and the automatic
//! retries the batch would get. The summary lines always show; names fill what room is
//! left.

use ratatui::text::{Line, Span};

use crate::domain::SkippedClient;
use crate::domain::preflight::Preflight;

use super::layout::{at_time, wrapped_height};
use crate::tui::state::app::App;

/// At most this many names per list, however tall the terminal.
const MAX_NAMES: usize = 4;

/// `service_default`: the retry policy is the service's own (not chosen with `a`), which
/// the line says, so the first press of `a` always changes what it reads.
pub fn lines<'a>(
    app: &'a App,
    p: &'a Preflight,
    service_default: bool,
    room: usize,
    width: u16,
) -> Vec<Line<'a>> {
    let s = app.strings;
    let t = &app.theme;
    let mut summary: Vec<Line> = Vec::new();
    summary.push(skipped_summary(app, &p.skipped));
    if let Some(first) = p.incomplete.first() {
        // The first one inline: with a single incomplete client (the usual case) the
        // line says everything even when there is no room for more.
        summary.push(Line::from(vec![
            Span::styled(
                format!("{} ({}): ", s.incomplete, p.incomplete.len()),
                t.key(),
            ),
            Span::raw(incomplete_text(first)),
        ]));
    }
    let vars = if p.agent_variables.is_empty() {
        s.none.to_string()
    } else {
        p.agent_variables.join(", ")
    };
    summary.push(Line::from(format!("{}: {vars}", s.agent_vars)));
    summary.push(window_line(app, p));
    summary.push(estimate_line(app, p));
    // The service echoes the policy the batch would get; none means no automatic retries.
    let retry = p
        .retry_policy
        .as_ref()
        .map_or_else(|| s.auto_retry_off.to_string(), |r| s.retry_policy(r));
    let origin = if service_default {
        s.retry_default
    } else {
        s.retry_chosen
    };
    summary.push(Line::from(format!(
        "{} (a): {retry} · {origin}",
        s.auto_retries
    )));

    // Names in the rows the summary leaves: the rest of the incomplete (they block the
    // start unless skipped), then the skipped.
    let mut left = room.saturating_sub(usize::from(wrapped_height(&summary, width)));
    let rest = p.incomplete.get(1..).unwrap_or_default();
    let incomplete_names = names(rest, &mut left, |c| format!("  · {}", incomplete_text(c)));
    let skipped_names = names(&p.skipped, &mut left, |c| {
        format!("  · {} ({}): {}", c.name, c.phone, c.reason)
    });
    let mut out = Vec::with_capacity(summary.len() + 8);
    let mut summary = summary.into_iter();
    out.extend(summary.next());
    out.extend(skipped_names);
    if !p.incomplete.is_empty() {
        out.extend(summary.next());
        out.extend(incomplete_names);
    }
    out.extend(summary);
    out
}

/// `Omitidos (3): 2 teléfono no válido · 1 en la lista de no llamar`.
fn skipped_summary<'a>(app: &App, skipped: &[SkippedClient]) -> Line<'a> {
    let s = app.strings;
    if skipped.is_empty() {
        return Line::from(format!("{}: {}", s.skipped, s.none));
    }
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for c in skipped {
        match groups.iter_mut().find(|(code, _)| *code == c.code) {
            Some(g) => g.1 += 1,
            None => groups.push((c.code.as_str(), 1)),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(code, n)| format!("{n} {}", s.skip_code(code).unwrap_or(code)))
        .collect();
    Line::from(format!(
        "{} ({}): {}",
        s.skipped,
        skipped.len(),
        parts.join(" · ")
    ))
}

fn incomplete_text(c: &SkippedClient) -> String {
    format!("{} ({})", c.name, c.missing.join(", "))
}

/// Up to `left` lines for `list` (the last one says how many more there are). A lone
/// "… +N" says nothing the summary's count does not, so then nothing is shown.
fn names<'a>(
    list: &[SkippedClient],
    left: &mut usize,
    line: impl Fn(&SkippedClient) -> String,
) -> Vec<Line<'a>> {
    let fit = (*left).min(MAX_NAMES);
    if list.is_empty() || fit == 0 || (fit == 1 && list.len() > 1) {
        return Vec::new();
    }
    let shown = if list.len() > fit {
        fit - 1
    } else {
        list.len()
    };
    let mut out: Vec<Line> = list
        .iter()
        .take(shown)
        .map(|c| Line::from(line(c)))
        .collect();
    if list.len() > shown {
        out.push(Line::from(format!("  · … +{}", list.len() - shown)));
    }
    *left -= out.len();
    out
}

fn window_line<'a>(app: &App, p: &Preflight) -> Line<'a> {
    let s = app.strings;
    let w = &p.window;
    let label = format!("{}: ", s.window);
    if !w.open_at_start {
        let at = at_time(app, w.start_at);
        return Line::from(vec![
            Span::raw(label),
            Span::styled(s.window_closed(&at, w.reason.as_deref()), app.theme.key()),
        ]);
    }
    let text = match (&w.rule_pack, w.closes_at) {
        (None, _) => s.window_unrestricted.to_string(),
        (Some(_), closes) => s.window_open(closes.map(|c| at_time(app, c)).as_deref()),
    };
    Line::from(format!("{label}{text}"))
}

fn estimate_line<'a>(app: &App, p: &Preflight) -> Line<'a> {
    let s = app.strings;
    let e = &p.estimate;
    let mut text = format!(
        "{}: {}",
        s.estimate,
        s.estimate_line(e.duration_secs, &at_time(app, e.finish_at))
    );
    if let Some(cost) = s.cost_range(e.cost_min, e.cost_max) {
        text.push_str(&format!(" · {cost}"));
    }
    text.push_str(&format!(" · {}", s.based_on(e.based_on_batches)));
    let mut spans = vec![Span::raw(text)];
    if e.exceeds_window {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(s.exceeds_window, app.theme.error()));
    }
    Line::from(spans)
}
