//! ElevenLabs' own English phrases (why a call ended) in the supervisor's language. Known
//! phrases are translated; others keep ElevenLabs' text, said to be theirs.

/// Why a call ended, for the transcript pane.
pub fn termination_reason(text: &str, es: bool) -> String {
    let t = text.trim();
    let lower = t.to_lowercase();
    let known: Option<(&str, &str)> = if lower == "call ended by remote party" {
        Some(("La persona colgó", "The person hung up"))
    } else if lower.starts_with("voicemail detected") {
        Some((
            "Buzón de voz: el agente dejó un mensaje",
            "Voicemail: the agent left a message",
        ))
    } else if lower == "no answer" {
        Some(("No contestó", "No answer"))
    } else if lower == "busy" {
        Some(("Ocupado", "Busy"))
    } else if lower.contains("end_call tool") || lower == "call ended by agent" {
        Some(("El agente terminó la llamada", "The agent ended the call"))
    } else if lower.starts_with("client disconnected") {
        Some(("La llamada se cortó", "The call was cut off"))
    } else if lower.starts_with("missing required dynamic variables") {
        let vars = t.split_once(':').map_or("", |(_, v)| v.trim());
        return if es {
            format!("No empezó: faltan variables del agente {vars}")
        } else {
            format!("Did not start: missing agent variables {vars}")
        };
    } else {
        None
    };
    match (known, es) {
        (Some((s, _)), true) => s.to_string(),
        (Some((_, e)), false) => e.to_string(),
        (None, true) => format!("Fin de la llamada (ElevenLabs): {t}"),
        (None, false) => format!("Call end (ElevenLabs): {t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::termination_reason;

    #[test]
    fn known_reasons_read_in_spanish() {
        assert_eq!(
            termination_reason("Call ended by remote party", true),
            "La persona colgó"
        );
        assert_eq!(
            termination_reason("Voicemail detected: agent left a message", true),
            "Buzón de voz: el agente dejó un mensaje"
        );
        assert_eq!(
            termination_reason(
                "Missing required dynamic variables in prompt: {'empresa'}",
                true
            ),
            "No empezó: faltan variables del agente {'empresa'}"
        );
        assert_eq!(
            termination_reason("Something new", true),
            "Fin de la llamada (ElevenLabs): Something new"
        );
    }
}
