//! The one table of key bindings (keys to commands, per context). `update` resolves keys
//! through it, and the help overlay and the hint line are generated from it (words in
//! `text::keys`), so they can never disagree with what a key does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for. Which commands apply depends on the [`Ctx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Call,
    Retry,
    Cancel,
    Resume,
    Sort,
    SortReverse,
    Filter,
    Mark,
    Export,
    ExportJson,
    Play,
    /// Put the selected recipient's phone on the do-not-call list.
    OptOut,
    /// Open the batch that took over the watched one's undialled recipients.
    FollowContinuation,
    /// Show the KPI pane of the watched batch (or close it).
    Kpi,
    /// Compare the watched batch with the one selected in the batches list.
    Compare,
    ClearCompare,
    Refresh,
    Yes,
    No,
    FocusField,
    PrevChoice,
    NextChoice,
    ToggleSkip,
    ToggleForce,
    CycleRetry,
}

/// Where the keyboard is: the focused pane or the overlay on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Global,
    Groups,
    Batches,
    Batch,
    Transcript,
    Kpi,
    Confirm,
    Help,
}

pub struct Binding {
    pub ctx: Ctx,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    /// How the key is written in help and hints.
    pub label: &'static str,
    pub cmd: Command,
    /// Shown in the hint line (the rest only in `?`).
    pub hint: bool,
}

const fn b(ctx: Ctx, code: KeyCode, label: &'static str, cmd: Command, hint: bool) -> Binding {
    Binding {
        ctx,
        code,
        mods: KeyModifiers::NONE,
        label,
        cmd,
        hint,
    }
}

use Command as C;
use Ctx as X;
use KeyCode as K;

/// Earlier entries win; context entries are looked up before `Global`.
pub static BINDINGS: &[Binding] = &[
    b(X::Confirm, K::Char('y'), "y", C::Yes, true),
    b(X::Confirm, K::Enter, "enter", C::Yes, false),
    b(X::Confirm, K::Char('n'), "n", C::No, true),
    b(X::Confirm, K::Esc, "esc", C::No, false),
    b(X::Confirm, K::Tab, "tab", C::FocusField, true),
    b(X::Confirm, K::Left, "←", C::PrevChoice, false),
    b(X::Confirm, K::Right, "→", C::NextChoice, true),
    b(X::Confirm, K::Char('o'), "o", C::ToggleSkip, true),
    b(X::Confirm, K::Char('f'), "f", C::ToggleForce, true),
    b(X::Confirm, K::Char('a'), "a", C::CycleRetry, true),
    b(X::Help, K::Esc, "esc", C::Back, true),
    b(X::Help, K::Char('?'), "?", C::Back, false),
    b(X::Help, K::Char('q'), "q", C::Back, false),
    b(X::Groups, K::Char('c'), "c", C::Call, true),
    b(X::Groups, K::Enter, "enter", C::Open, false),
    b(X::Batches, K::Enter, "enter", C::Open, true),
    b(X::Batches, K::Char('v'), "v", C::Compare, true),
    b(X::Batch, K::Enter, "enter", C::Open, true),
    b(X::Batch, K::Char('s'), "s", C::Sort, true),
    b(X::Batch, K::Char('S'), "S", C::SortReverse, false),
    b(X::Batch, K::Char('/'), "/", C::Filter, true),
    b(X::Batch, K::Char(' '), "space", C::Mark, true),
    b(X::Batch, K::Char('p'), "p", C::Play, false),
    b(X::Batch, K::Char('o'), "o", C::OptOut, true),
    b(X::Batch, K::Char('g'), "g", C::FollowContinuation, false),
    b(X::Kpi, K::Char('v'), "v", C::ClearCompare, true),
    b(X::Kpi, K::Esc, "esc", C::Back, true),
    b(X::Transcript, K::Char('p'), "p", C::Play, true),
    b(X::Transcript, K::Esc, "esc", C::Back, true),
    b(X::Global, K::Char('q'), "q", C::Quit, true),
    b(X::Global, K::Char('?'), "?", C::Help, true),
    b(X::Global, K::Tab, "tab", C::NextPane, false),
    b(X::Global, K::BackTab, "shift-tab", C::PrevPane, false),
    b(X::Global, K::Right, "→", C::NextPane, false),
    b(X::Global, K::Left, "←", C::PrevPane, false),
    b(X::Global, K::Up, "↑", C::Up, false),
    b(X::Global, K::Char('k'), "k", C::Up, false),
    b(X::Global, K::Down, "↓", C::Down, false),
    b(X::Global, K::Char('j'), "j", C::Down, false),
    b(X::Global, K::PageUp, "pgup", C::PageUp, false),
    b(X::Global, K::PageDown, "pgdn", C::PageDown, false),
    b(X::Global, K::Home, "home", C::Top, false),
    b(X::Global, K::End, "end", C::Bottom, false),
    b(X::Global, K::Char('c'), "c", C::Call, false),
    b(X::Global, K::Char('r'), "r", C::Retry, true),
    b(X::Global, K::Char('x'), "x", C::Cancel, true),
    b(X::Global, K::Char('u'), "u", C::Resume, false),
    b(X::Global, K::Char('i'), "i", C::Kpi, true),
    b(X::Global, K::Char('e'), "e", C::Export, true),
    b(X::Global, K::Char('E'), "E", C::ExportJson, false),
    b(X::Global, K::Char('R'), "R", C::Refresh, false),
    b(X::Global, K::Esc, "esc", C::Back, false),
];

/// The command for `key` in `ctx`: the context's own bindings, then the global ones
/// (overlays do not fall through: a stray key in a dialog does nothing).
pub fn lookup(ctx: Ctx, key: &KeyEvent) -> Option<Command> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == K::Char('c') {
        return Some(C::Quit);
    }
    let find = |c: Ctx| {
        BINDINGS
            .iter()
            .find(|b| b.ctx == c && b.code == key.code && b.mods == mods)
            .map(|b| b.cmd)
    };
    find(ctx).or_else(|| match ctx {
        X::Confirm | X::Help => None,
        _ => find(X::Global),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn context_first_then_global_but_not_from_dialogs() {
        assert_eq!(lookup(Ctx::Batch, &key(K::Char('s'))), Some(C::Sort));
        assert_eq!(lookup(Ctx::Groups, &key(K::Char('s'))), None);
        assert_eq!(lookup(Ctx::Groups, &key(K::Char('q'))), Some(C::Quit));
        assert_eq!(lookup(Ctx::Confirm, &key(K::Char('q'))), None);
        assert_eq!(lookup(Ctx::Confirm, &key(K::Char('y'))), Some(C::Yes));
        let shifted = KeyEvent::new(K::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Ctx::Batch, &shifted), Some(C::SortReverse));
    }
}
