//! `?`: every binding, generated from the keymap (so it cannot drift from the code).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::super::app::App;
use super::super::keymap::{Ctx, entries};
use super::centered;

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
        (Ctx::Confirm, "y/n"),
    ];
    let mut lines = Vec::new();
    for (ctx, name) in sections {
        lines.push(Line::from(Span::styled(name, t.title())));
        // Two bindings per line keeps the list inside 24 rows.
        let items = entries(ctx, false, lang);
        for pair in items.chunks(2) {
            let mut spans = Vec::new();
            for (keys, what) in pair {
                spans.push(Span::styled(format!("  {keys:>11} "), t.key()));
                spans.push(Span::raw(format!("{what:<26}")));
            }
            lines.push(Line::from(spans));
        }
    }
    let h = lines.len() as u16 + 2;
    let popup = centered(area, 84, h);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(format!(" {} ", s.help_title))
        .title_bottom(format!(" {} ", s.help_close))
        .title_style(t.title())
        .border_style(t.border(true));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
