//! The transcript of a simulated call: the script each outcome follows, as tables of
//! lines, and the lines spoken so far (spread evenly over the call).

use indexmap::IndexMap;

use super::batch::SimBatch;
use super::engine::Attempt;
use super::outcome::Outcome;
use crate::elevenlabs::TranscriptItem;

/// A person who wants the information. In every line `{first_message}` is the agent's
/// first message filled with the recipient's variables; `{topic}` and `{name}` come from
/// those variables.
const INTERESTED: &[(&str, &str)] = &[
    ("agent", "{first_message}"),
    ("user", "Sí, dígame, tengo un momento."),
    (
        "agent",
        "Gracias. Le llamo porque tenemos una propuesta para {topic}. ¿Le interesaría recibir más información?",
    ),
    ("user", "Sí, me interesa. ¿Me la puede enviar por correo?"),
    (
        "agent",
        "Con gusto, {name}. Le enviaremos la información hoy mismo y un asesor le contactará esta semana.",
    ),
    ("user", "Perfecto, muchas gracias."),
];

/// A person who says no.
const NOT_INTERESTED: &[(&str, &str)] = &[
    ("agent", "{first_message}"),
    ("user", "Sí, dígame, tengo un momento."),
    (
        "agent",
        "Gracias. Le llamo porque tenemos una propuesta para {topic}. ¿Le interesaría recibir más información?",
    ),
    ("user", "En este momento no me interesa, gracias."),
    (
        "agent",
        "Entendido, {name}. Gracias por su tiempo, que tenga un buen día.",
    ),
];

/// The message left on a voicemail.
const VOICEMAIL: &[(&str, &str)] = &[(
    "agent",
    "Hola {name}, le llamamos de IA-Calls. Le volveremos a llamar pronto. ¡Gracias!",
)];

/// The lines spoken so far (`elapsed` seconds after pick-up).
pub fn transcript(
    b: &SimBatch,
    a: &Attempt,
    vars: &IndexMap<String, String>,
    elapsed: i64,
) -> Vec<TranscriptItem> {
    let script = match &a.outcome {
        Outcome::Answered { interested: true } => INTERESTED,
        Outcome::Answered { interested: false } => NOT_INTERESTED,
        Outcome::Voicemail => VOICEMAIL,
        _ => &[],
    };
    let first_message = fill(&b.first_message, vars);
    let topic = topic(vars);
    let values = [
        ("first_message", first_message.as_str()),
        ("topic", topic.as_str()),
        ("name", var(vars, "name", "")),
    ];
    let total = a.end_at - a.answered_at.unwrap_or(a.end_at);
    let n = script.len().max(1) as i64;
    script
        .iter()
        .enumerate()
        .map(|(i, (role, line))| (i as i64 * total / n, role, line))
        .filter(|(at, _, _)| *at <= elapsed)
        .map(|(at, role, line)| TranscriptItem {
            role: role.to_string(),
            message: Some(render(line, &values)),
            time_in_call_secs: at,
            tool_calls: Vec::new(),
            tool_results: Vec::new(),
            interrupted: false,
            source_medium: Some("audio".into()),
        })
        .collect()
}

/// What the call is about, from the recipient's variables.
fn topic(vars: &IndexMap<String, String>) -> String {
    if let Some(e) = vars.get("especialidad") {
        format!("la consulta de {e} en {}", var(vars, "ciudad", "su ciudad"))
    } else if let Some(e) = vars.get("empresa") {
        format!("los procesos de {e}")
    } else {
        "nuestros servicios".to_string()
    }
}

/// `{key}` in a script line replaced by its value, in one pass: a value is never searched
/// for further keys.
fn render(line: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let key = values
            .iter()
            .find(|(k, _)| after.starts_with(k) && after[k.len()..].starts_with('}'));
        match key {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{{var}}` replaced by the recipient's value.
fn fill(template: &str, vars: &IndexMap<String, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    out
}

/// The variable `k`, or `default` when the recipient has none.
pub fn var<'a>(vars: &'a IndexMap<String, String>, k: &str, default: &'a str) -> &'a str {
    vars.get(k).map(String::as_str).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_filled_once_and_braces_left_alone() {
        let values = [("topic", "los procesos de {name}"), ("name", "Ana")];
        assert_eq!(
            render("Para {topic}, {name}. {x} {", &values),
            "Para los procesos de {name}, Ana. {x} {"
        );
    }
}
