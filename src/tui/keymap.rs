//! The one table of key bindings. `update` resolves keys through it, and the help overlay
//! and the hint line are generated from it, so they can never disagree with what a key does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::Lang;

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

/// What a command does, for help and hints.
pub fn describe(cmd: Command, lang: Lang) -> &'static str {
    let es = lang == Lang::Es;
    match (cmd, es) {
        (C::Quit, true) => "salir",
        (C::Quit, false) => "quit",
        (C::Help, true) => "ayuda",
        (C::Help, false) => "help",
        (C::NextPane, true) => "panel siguiente",
        (C::NextPane, false) => "next pane",
        (C::PrevPane, true) => "panel anterior",
        (C::PrevPane, false) => "previous pane",
        (C::Up, true) => "subir",
        (C::Up, false) => "up",
        (C::Down, true) => "bajar",
        (C::Down, false) => "down",
        (C::PageUp, true) => "página arriba",
        (C::PageUp, false) => "page up",
        (C::PageDown, true) => "página abajo",
        (C::PageDown, false) => "page down",
        (C::Top, true) => "al principio",
        (C::Top, false) => "to the top",
        (C::Bottom, true) => "al final",
        (C::Bottom, false) => "to the bottom",
        (C::Open, true) => "abrir",
        (C::Open, false) => "open",
        (C::Back, true) => "volver",
        (C::Back, false) => "back",
        (C::Call, true) => "llamar al grupo",
        (C::Call, false) => "call the group",
        (C::Retry, true) => "reintentar fallidas",
        (C::Retry, false) => "retry failed",
        (C::Cancel, true) => "cancelar lote",
        (C::Cancel, false) => "cancel batch",
        (C::Resume, true) => "reanudar los nunca llamados",
        (C::Resume, false) => "resume the never called",
        (C::Sort, true) => "ordenar",
        (C::Sort, false) => "sort",
        (C::SortReverse, true) => "invertir orden",
        (C::SortReverse, false) => "reverse sort",
        (C::Filter, true) => "filtrar (texto, estado o resultado; ! invierte)",
        (C::Filter, false) => "filter (text, status or outcome; ! inverts)",
        (C::Mark, true) => "seleccionar (e/E exportan solo lo seleccionado)",
        (C::Mark, false) => "select (e/E export only the selection)",
        (C::Export, true) => "exportar CSV",
        (C::Export, false) => "export CSV",
        (C::ExportJson, true) => "exportar JSON",
        (C::ExportJson, false) => "export JSON",
        (C::OptOut, true) => "no volver a llamar",
        (C::OptOut, false) => "never call again",
        (C::FollowContinuation, true) => "ir al lote que continúa",
        (C::FollowContinuation, false) => "go to the continuing batch",
        (C::Kpi, true) => "indicadores (KPI)",
        (C::Kpi, false) => "KPIs",
        (C::Compare, true) => "comparar con el lote abierto",
        (C::Compare, false) => "compare with the open batch",
        (C::ClearCompare, true) => "quitar la comparación",
        (C::ClearCompare, false) => "clear the comparison",
        (C::Play, true) => "reproducir audio",
        (C::Play, false) => "play audio",
        (C::Refresh, true) => "recargar listas",
        (C::Refresh, false) => "reload lists",
        (C::Yes, true) => "confirmar",
        (C::Yes, false) => "confirm",
        (C::No, true) => "descartar",
        (C::No, false) => "dismiss",
        (C::FocusField, true) => "escribir la hora",
        (C::FocusField, false) => "type the time",
        (C::PrevChoice, true) | (C::NextChoice, true) => "cambiar número",
        (C::PrevChoice, false) | (C::NextChoice, false) => "change number",
        (C::ToggleSkip, true) => "omitir incompletos",
        (C::ToggleSkip, false) => "skip incomplete",
        (C::ToggleForce, true) => "forzar",
        (C::ToggleForce, false) => "force",
        (C::CycleRetry, true) => "reintentos automáticos",
        (C::CycleRetry, false) => "automatic retries",
    }
}

/// `(keys, description)` per command of a context, keys of one command joined (`↑/k`).
pub fn entries(ctx: Ctx, only_hints: bool, lang: Lang) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, Command)> = Vec::new();
    for bnd in BINDINGS
        .iter()
        .filter(|b| b.ctx == ctx && (!only_hints || b.hint))
    {
        match out.iter_mut().find(|(_, c)| *c == bnd.cmd) {
            Some((keys, _)) => {
                keys.push('/');
                keys.push_str(bnd.label);
            }
            None => out.push((bnd.label.to_string(), bnd.cmd)),
        }
    }
    out.into_iter()
        .map(|(k, c)| (k, describe(c, lang)))
        .collect()
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

    #[test]
    fn help_lists_every_binding_once_per_command() {
        let global = entries(Ctx::Global, false, Lang::Es);
        let up = global.iter().find(|(_, d)| *d == "subir");
        assert_eq!(up.map(|(k, _)| k.as_str()), Some("↑/k"));
        let hints = entries(Ctx::Batch, true, Lang::En);
        assert!(hints.iter().any(|(k, d)| k == "s" && *d == "sort"));
        assert!(!hints.iter().any(|(k, _)| k == "S"));
    }
}
