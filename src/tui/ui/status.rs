//! The two bottom lines: the last result or error, and key hints from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::App;
use super::super::keymap::{Ctx, entries};

pub fn draw_notice(app: &App, frame: &mut Frame, area: Rect) {
    let Some(n) = &app.notice else { return };
    let style = if n.error {
        app.theme.error()
    } else {
        app.theme.ok()
    };
    let mark = if n.error { "✕ " } else { "✓ " };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!("{mark}{}", n.text), style))),
        area,
    );
}

pub fn draw_hints(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.strings.lang;
    let ctx = app.ctx();
    let mut items = entries(ctx, true, lang);
    if !matches!(ctx, Ctx::Confirm | Ctx::Help) {
        items.extend(entries(Ctx::Global, true, lang));
    }
    if app.filter_editing {
        items = vec![
            (
                "enter".to_string(),
                if app.es() { "aplicar" } else { "apply" },
            ),
            (
                "esc".to_string(),
                if app.es() {
                    "borrar filtro"
                } else {
                    "clear filter"
                },
            ),
        ];
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (keys, what) in items {
        let hint = format!(" {what}  ");
        let w = keys.chars().count() + hint.chars().count();
        // Whole hints only: a half-cut word reads as a different command.
        if used + w > area.width as usize + 2 {
            break;
        }
        used += w;
        spans.push(Span::styled(keys, app.theme.key()));
        spans.push(Span::styled(hint, app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
