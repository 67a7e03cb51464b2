//! `?`: every binding, generated from the keymap (so it cannot drift from the code).
//! Each section is packed into as few rows as fit, so the whole list fits in 80×24.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::layout::centered;
use crate::tui::bindings::Ctx;
use crate::tui::state::app::App;
use crate::tui::text::keys::entries;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let s = app.strings;
    let t = &app.theme;
    let lang = s.lang;
    let sections = [
        (Ctx::Global, "callboard"),
        (Ctx::Groups, s.groups),
        (Ctx::Batches, s.batches),
        (Ctx::Batch, s.recipients),
        (Ctx::Transcript, s.transcript),
        (Ctx::Kpi, s.kpi),
        (Ctx::Confirm, "y/n"),
    ];
    let width = area.width.min(110);
    let room = usize::from(width.saturating_sub(2));
    // Items are packed into rows by hand so that no binding is split across two rows.
    let mut lines = Vec::new();
    for (ctx, name) in sections {
        let mut spans = vec![Span::styled(format!("{name}: "), t.title())];
        let mut used = name.chars().count() + 2;
        for (keys, what) in entries(ctx, false, lang) {
            let text = format!(" {what}   ");
            let w = keys.chars().count() + text.chars().count();
            if used + w > room && spans.len() > 1 {
                lines.push(Line::from(std::mem::take(&mut spans)));
                spans.push(Span::raw("  "));
                used = 2;
            }
            used += w;
            spans.push(Span::styled(keys, t.key()));
            spans.push(Span::raw(text));
        }
        lines.push(Line::from(spans));
    }
    let h = lines.len() as u16 + 2;
    let popup = centered(area, width, h);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(format!(" {} ", s.help_title))
        .title_bottom(format!(" {} ", s.help_close))
        .title_style(t.title())
        .border_style(t.border(true));
    let p = Paragraph::new(lines).block(block);
    frame.render_widget(p, popup);
}
