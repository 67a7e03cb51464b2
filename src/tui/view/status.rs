//! The two bottom lines: the last result or error, and key hints from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::bindings::Ctx;
use crate::tui::state::app::App;
use crate::tui::state::dialog::{Confirm, Overlay};
use crate::tui::state::loadable::Loadable;
use crate::tui::text::keys::entries;
use crate::tui::text::labels::filter_edit_hints;

pub fn draw_notice(app: &App, frame: &mut Frame, area: Rect) {
    let Some(n) = &app.notice else { return };
    let (style, mark) = match (n.error, n.plain) {
        (true, _) => (app.theme.error(), "✕ "),
        (false, true) => (app.theme.key(), "› "),
        (false, false) => (app.theme.ok(), "✓ "),
    };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!("{mark}{}", n.text), style)))
            .wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}

pub fn draw_hints(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.strings.lang;
    let ctx = app.ctx();
    let mut items = entries(ctx, true, lang);
    if ctx == Ctx::Confirm {
        items.retain(|(keys, _)| dialog_offers(app, keys));
    }
    if ctx == Ctx::Kpi && app.compare.is_none() {
        // Nothing to clear: `v` is offered in Lotes, where a batch to compare is picked.
        items.retain(|(keys, _)| keys != "v");
    }
    if !matches!(ctx, Ctx::Confirm | Ctx::Help) {
        items.extend(entries(Ctx::Global, true, lang));
    }
    if app.filter_editing {
        let (apply, clear) = filter_edit_hints(app.es());
        items = vec![("enter".to_string(), apply), ("esc".to_string(), clear)];
    }
    // Help and quit always show, at the end: whatever else is cut, these say the rest.
    let (last, first): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|(k, _)| ctx != Ctx::Confirm && (k == "?" || k == "q"));
    let width = |(keys, what): &(String, &str)| keys.chars().count() + what.chars().count() + 3;
    let reserved: usize = last.iter().map(width).sum();
    let mut shown = Vec::new();
    let mut used = reserved;
    for item in first {
        let w = width(&item);
        // Whole hints only: a half-cut word reads as a different command. A long one
        // that does not fit leaves its room to shorter ones after it.
        if used + w > area.width as usize + 2 {
            continue;
        }
        used += w;
        shown.push(item);
    }
    shown.extend(last);
    let mut spans = Vec::new();
    for (keys, what) in shown {
        spans.push(Span::styled(keys, app.theme.key()));
        spans.push(Span::styled(format!(" {what}  "), app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A dialog's footer lists only the keys that dialog takes: the call dialog its fields
/// and toggles (skip and force only when offered), the others yes and no.
fn dialog_offers(app: &App, keys: &str) -> bool {
    let call = match &app.overlay {
        Some(Overlay::Confirm(c)) => match c.as_ref() {
            Confirm::StartCall(d) => Some(d),
            _ => None,
        },
        _ => None,
    };
    match (keys, call) {
        ("y", _) | ("n", _) => true,
        (_, None) => false,
        ("o", Some(d)) => {
            !d.missing.is_empty()
                || matches!(&d.preflight, Some(Loadable::Ready(p)) if !p.incomplete.is_empty())
        }
        ("f", Some(d)) => d.active_batch.is_some(),
        (_, Some(_)) => true,
    }
}
