//! What each command does, in words, for the help overlay and the hint line, and those
//! lines built from the bindings table.

use crate::domain::Lang;
use crate::tui::bindings::{BINDINGS, Command, Ctx};

use Command as C;

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
