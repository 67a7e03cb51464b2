//! What came of an answered call: ElevenLabs' success evaluation (`call_successful`),
//! in the supervisor's words. "completada" only says the call ended normally; this says
//! whether it achieved its goal. Shown as a column and usable in the `/` filter.

use crate::api::RecipientView;

/// The evaluation of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Success,
    Failure,
    Unknown,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Self::Success, Self::Failure, Self::Unknown];

    /// The wire value (`success`, `failure`, `unknown`); other values read as unknown.
    pub fn of(r: &RecipientView) -> Option<Self> {
        Some(match r.call_successful.as_deref()?.trim() {
            "success" => Self::Success,
            "failure" => Self::Failure,
            _ => Self::Unknown,
        })
    }

    pub fn wire(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Unknown => "unknown",
        }
    }

    pub fn label(self, es: bool) -> &'static str {
        match (self, es) {
            (Self::Success, true) => "logrado",
            (Self::Success, false) => "achieved",
            (Self::Failure, true) => "no logrado",
            (Self::Failure, false) => "not achieved",
            (Self::Unknown, true) => "sin evaluar",
            (Self::Unknown, false) => "not evaluated",
        }
    }

    /// A filter word for this verdict: its label in either language or its wire value.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| text == v.wire() || text == v.label(true) || text == v.label(false))
    }
}

/// A data-collection value as text: strings without quotes, yes/no in the language.
pub fn value_text(v: &serde_json::Value, es: bool) -> String {
    match (v, es) {
        (serde_json::Value::String(s), _) => s.clone(),
        (serde_json::Value::Null, _) => "—".into(),
        (serde_json::Value::Bool(true), true) => "sí".into(),
        (serde_json::Value::Bool(false), true) => "no".into(),
        (serde_json::Value::Bool(b), false) => if *b { "yes" } else { "no" }.into(),
        (other, _) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_words_in_both_languages() {
        assert_eq!(Verdict::parse("logrado"), Some(Verdict::Success));
        assert_eq!(Verdict::parse("no logrado"), Some(Verdict::Failure));
        assert_eq!(Verdict::parse("failure"), Some(Verdict::Failure));
        assert_eq!(Verdict::parse("not evaluated"), Some(Verdict::Unknown));
        assert_eq!(Verdict::parse("completada"), None);
    }
}
