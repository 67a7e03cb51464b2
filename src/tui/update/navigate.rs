//! Moving around: panes (tab), rows (arrows, pages), opening what is selected (enter),
//! going back (esc), the recipients table's sort, filter (`/`) and marks, and following a
//! batch's continuation (`g`).

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::bindings::Command;
use crate::tui::effect::Effect;
use crate::tui::state::app::{App, Pane, TranscriptView};

const PAGE: usize = 10;

/// Movement, sort, filter and mark commands.
pub fn on_command(app: &mut App, cmd: Command) {
    match cmd {
        Command::NextPane => cycle(app, true),
        Command::PrevPane => cycle(app, false),
        Command::Up => step(app, -1),
        Command::Down => step(app, 1),
        Command::PageUp => step(app, -(PAGE as i64)),
        Command::PageDown => step(app, PAGE as i64),
        Command::Top => step(app, i64::MIN / 2),
        Command::Bottom => step(app, i64::MAX / 2),
        Command::Back => back(app),
        Command::Sort => {
            if let Some(b) = app.batch.as_mut() {
                b.set_sort(b.sort.next(), false);
            }
        }
        Command::SortReverse => {
            if let Some(b) = app.batch.as_mut() {
                b.set_sort(b.sort, !b.sort_desc);
            }
        }
        Command::Filter => app.filter_editing = app.batch.is_some(),
        Command::Mark => {
            if let Some(b) = app.batch.as_mut() {
                b.toggle_mark();
            }
            step(app, 1);
        }
        _ => {}
    }
}

/// Keys while `/` edits the filter.
pub fn edit_filter(app: &mut App, key: KeyEvent) {
    let Some(b) = app.batch.as_mut() else {
        app.filter_editing = false;
        return;
    };
    let mut text = b.filter.clone();
    match key.code {
        KeyCode::Enter => app.filter_editing = false,
        KeyCode::Esc => {
            app.filter_editing = false;
            text.clear();
        }
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) => text.push(c),
        _ => {}
    }
    if text != b.filter {
        b.set_filter(&text);
    }
}

fn cycle(app: &mut App, forward: bool) {
    let mut panes = vec![Pane::Groups, Pane::Batches, Pane::Batch];
    if app.transcript.is_some() {
        panes.push(Pane::Transcript);
    }
    if app.kpi_open {
        panes.push(Pane::Kpi);
    }
    let i = panes.iter().position(|p| *p == app.focus).unwrap_or(0);
    let n = panes.len();
    app.focus = panes[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }];
}

fn moved(sel: usize, len: usize, delta: i64) -> usize {
    if len == 0 {
        return 0;
    }
    (sel as i64 + delta).clamp(0, len as i64 - 1) as usize
}

fn step(app: &mut App, delta: i64) {
    match app.focus {
        Pane::Groups => app.groups_sel = moved(app.groups_sel, app.groups.len(), delta),
        Pane::Batches => app.batches_sel = moved(app.batches_sel, app.batches.len(), delta),
        Pane::Batch => {
            if let Some(b) = app.batch.as_mut() {
                b.selected = moved(b.selected, b.view.len(), delta);
            }
        }
        Pane::Transcript => {
            if let Some(t) = app.transcript.as_mut() {
                t.scroll = (i64::from(t.scroll) + delta).clamp(0, i64::from(u16::MAX)) as u16;
            }
        }
        Pane::Kpi => {}
    }
}

pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    match app.focus {
        Pane::Groups => {
            let last = app.groups.get(app.groups_sel).and_then(|g| {
                g.last_batch
                    .as_ref()
                    .map(|l| (l.batch_id.clone(), g.name.clone()))
            });
            if let Some((id, name)) = last {
                fx.extend(app.watch(&id, &name));
            }
        }
        Pane::Batches => {
            if let Some(item) = app.batches.get(app.batches_sel) {
                let (id, name) = (item.batch_id.clone(), item.call_name.clone());
                fx.extend(app.watch(&id, &name));
            }
        }
        Pane::Batch => {
            if let Some(r) = app.batch.as_ref().and_then(|b| b.selected_row()) {
                app.transcript = Some(TranscriptView {
                    recipient_id: r.id.clone(),
                    scroll: 0,
                });
                app.focus = Pane::Transcript;
                app.kpi_open = false;
            }
        }
        Pane::Transcript | Pane::Kpi => {}
    }
}

fn back(app: &mut App) {
    if app.overlay.take().is_some() {
        return;
    }
    if app.notice.as_ref().is_some_and(|n| n.error) {
        app.notice = None;
    }
    match app.focus {
        Pane::Transcript => {
            app.transcript = None;
            app.focus = Pane::Batch;
        }
        Pane::Kpi => {
            app.kpi_open = false;
            app.focus = Pane::Batch;
        }
        Pane::Batch => match app.batch.as_mut() {
            Some(b) if !b.filter.is_empty() => b.set_filter(""),
            _ => app.focus = Pane::Batches,
        },
        Pane::Batches => app.focus = Pane::Groups,
        Pane::Groups => {}
    }
}

/// `g`: open the batch that took over this one's undialled recipients.
pub fn follow_continuation(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(next) = app.batch.as_ref().and_then(|b| b.continued_by.clone()) else {
        return app.note(app.strings.no_continuation);
    };
    let name = app
        .batches
        .iter()
        .find(|b| b.batch_id == next)
        .map(|b| b.call_name.clone())
        .unwrap_or_default();
    fx.extend(app.watch(&next, &name));
}
