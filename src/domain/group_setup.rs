//! How a group's campaign is set up when it differs from the service's defaults: its own
//! ElevenLabs agent and caller number (else the acting user's agent and the number the
//! request names), the country its clients' phones are read in (else the configured
//! region), and the first message and language prepare-agent gives the agent. Plain data
//! and the checks that need no network.

use serde::{Deserialize, Serialize};

use super::phone::Region;

/// The per-group settings of a campaign; every one is optional. Stored inside the group
/// (older stored groups have none of them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupSetup {
    /// The ElevenLabs agent that calls this group; None = the acting user's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The caller number (`agent_phone_number_id`); None = the one the request names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_phone_number_id: Option<String>,
    /// The country of its clients' phones (ISO code); None = the service's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Region>,
    /// The agent's first message, set by prepare-agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message: Option<String>,
    /// The agent's language (`es`, `en`, `pt-br`...), set by prepare-agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl GroupSetup {
    /// The country the group's phones are read in.
    pub fn country_or(&self, region: Region) -> Region {
        self.country.unwrap_or(region)
    }
}

/// Why a per-group setting is refused, in Spanish: what is wrong and what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupError {
    /// An agent or number id that cannot be an ElevenLabs id.
    BadId {
        field: &'static str,
    },
    BadLanguage(String),
    BadFirstMessage,
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadId { field } => write!(
                f,
                "{field} no es un identificador de ElevenLabs: hasta 100 letras, dígitos, _ o -"
            ),
            Self::BadLanguage(l) => write!(
                f,
                "idioma no válido «{l}»: use un código como es, en, pt o pt-br"
            ),
            Self::BadFirstMessage => write!(
                f,
                "firstMessage: máximo 2000 caracteres, sin caracteres de control"
            ),
        }
    }
}

/// An ElevenLabs id as given (trimmed), or None when it is blank (blank clears it).
pub fn clean_id(v: Option<&str>, field: &'static str) -> Result<Option<String>, SetupError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let ok = v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    ok.then(|| Some(v.to_string()))
        .ok_or(SetupError::BadId { field })
}

/// A language code (`es`, `pt-br`), lower-cased, or None when blank.
pub fn clean_language(v: Option<&str>) -> Result<Option<String>, SetupError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let l = v.to_ascii_lowercase();
    let mut parts = l.split('-');
    let base = parts.next().unwrap_or_default();
    let tail: Vec<&str> = parts.collect();
    let letters = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase())
    };
    let ok = letters(base, 2..=3) && tail.len() <= 1 && tail.iter().all(|t| letters(t, 2..=4));
    ok.then_some(Some(l))
        .ok_or_else(|| SetupError::BadLanguage(v.chars().take(20).collect()))
}

/// A first message (kept as written), or None when blank.
pub fn clean_first_message(v: Option<&str>) -> Result<Option<String>, SetupError> {
    let Some(v) = v.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let ok = v.chars().count() <= 2000 && !v.chars().any(|c| c.is_control() && c != '\n');
    ok.then(|| Some(v.to_string()))
        .ok_or(SetupError::BadFirstMessage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_clear_and_bad_ones_say_why() {
        assert_eq!(clean_id(Some("  "), "agentId"), Ok(None));
        assert_eq!(
            clean_id(Some(" agent_01-x "), "agentId"),
            Ok(Some("agent_01-x".into()))
        );
        let e = clean_id(Some("agent 1"), "agentId").unwrap_err();
        assert!(e.to_string().starts_with("agentId no es"), "{e}");
        assert_eq!(clean_language(Some("PT-BR")), Ok(Some("pt-br".into())));
        assert_eq!(clean_language(Some("es")), Ok(Some("es".into())));
        assert!(clean_language(Some("español")).is_err());
        assert!(clean_language(Some("e")).is_err());
        assert_eq!(
            clean_first_message(Some("Hola {{name}}\n")),
            Ok(Some("Hola {{name}}\n".into()))
        );
        assert!(clean_first_message(Some("a\u{7}b")).is_err());
    }

    #[test]
    fn an_old_stored_group_has_no_setup() {
        let s: GroupSetup = serde_json::from_str("{}").unwrap();
        assert_eq!(s, GroupSetup::default());
        assert_eq!(s.country_or(Region::COLOMBIA), Region::COLOMBIA);
        assert_eq!(serde_json::to_string(&s).unwrap(), "{}");
    }
}
