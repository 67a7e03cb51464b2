//! The call dialog's words about readiness: its headline, what to do about clients that
//! lack data, and what a refused start means. The service's refusals name request fields
//! (`skipIncomplete`) and carry JSON details; the dialog says the same in the
//! supervisor's words and never shows raw JSON.

use crate::tui::action::Failure;
use crate::tui::state::readiness::Readiness;

use super::strings::Strings;

impl Strings {
    fn es_(&self) -> bool {
        self.lang == crate::domain::Lang::Es
    }

    /// The dialog's first line.
    pub fn call_headline(&self, group: &str, r: Readiness, skip_incomplete: bool) -> String {
        let valid = r.ready + r.incomplete;
        if r.incomplete == 0 || skip_incomplete {
            return self.confirm_call(group, r.ready);
        }
        if self.es_() {
            format!(
                "¿Llamar al grupo «{group}»? Listos para llamar ahora: {} de {valid}.",
                r.ready
            )
        } else {
            format!(
                "Call group “{group}”? Ready to call now: {} of {valid}.",
                r.ready
            )
        }
    }

    /// Why some are not ready and what the supervisor can do about it.
    pub fn incomplete_advice(&self, r: Readiness, vars: &[String], skip: bool) -> String {
        let vars = vars.join(", ");
        match (self.es_(), r.ready, skip) {
            (true, 0, _) => format!(
                "Ninguno está listo: a los {} les faltan datos que usa el agente ({vars}). Complete esos datos del grupo o de sus clientes y vuelva a intentarlo.",
                r.incomplete
            ),
            (false, 0, _) => format!(
                "Nobody is ready: all {} lack data the agent uses ({vars}). Fill in that data for the group or its clients and try again.",
                r.incomplete
            ),
            (true, _, false) => format!(
                "A {} les faltan datos que usa el agente ({vars}). Pulse o para llamar solo a los {} listos, o complete esos datos.",
                r.incomplete, r.ready
            ),
            (false, _, false) => format!(
                "{} lack data the agent uses ({vars}). Press o to call only the {} ready, or fill in that data.",
                r.incomplete, r.ready
            ),
            (true, _, true) => format!(
                "Se omitirán {} a los que les faltan datos ({vars}).",
                r.incomplete
            ),
            (false, _, true) => {
                format!("{} lacking data ({vars}) will be left out.", r.incomplete)
            }
        }
    }
}

/// What the dialog says of a refused start: the service's own words unless they speak
/// of request fields, in which case ours.
pub fn refusal_text(s: &Strings, f: &Failure) -> String {
    let es = s.lang == crate::domain::Lang::Es;
    match (f.code.as_deref(), es) {
        (Some("missing_variables"), true) => {
            "No se llamó: hay destinatarios a los que les faltan datos que usa el agente (pulse o para omitirlos).".into()
        }
        (Some("missing_variables"), false) => {
            "Not called: some recipients lack data the agent uses (press o to leave them out).".into()
        }
        (Some("no_complete_recipients"), true) => {
            "No se llamó: ningún destinatario tiene todos los datos que usa el agente.".into()
        }
        (Some("no_complete_recipients"), false) => {
            "Not called: no recipient has all the data the agent uses.".into()
        }
        (Some("no_recipients"), true) => {
            "No se llamó: ningún cliente del grupo puede ser llamado (vea los omitidos).".into()
        }
        (Some("no_recipients"), false) => {
            "Not called: no client of the group can be called (see those left out).".into()
        }
        _ => f.message.clone(),
    }
}

/// Why `y` did nothing: the pre-flight already says the start would be refused.
pub fn refused_before(s: &Strings, r: Readiness) -> String {
    let es = s.lang == crate::domain::Lang::Es;
    match (r.ready, es) {
        (0, true) => {
            "No se llamó: nadie está listo para llamar (aquí debajo, lo que falta).".into()
        }
        (0, false) => "Not called: nobody is ready to call (what is missing is just below).".into(),
        (_, true) => {
            "No se llamó: pulse o para llamar solo a los listos, o complete los datos.".into()
        }
        (_, false) => "Not called: press o to call only those ready, or fill in the data.".into(),
    }
}
