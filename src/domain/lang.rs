//! The language of messages and screens: Spanish first, English as an option.

use chrono::Weekday;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    /// The weekday's name, lower case in Spanish (`lunes`), capitalised in English
    /// (`Monday`), as each language writes it inside a sentence.
    pub fn weekday(self, day: Weekday) -> &'static str {
        const ES: [&str; 7] = [
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
            "domingo",
        ];
        const EN: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        let i = day.num_days_from_monday() as usize;
        match self {
            Self::Es => ES[i],
            Self::En => EN[i],
        }
    }

    /// The language an HTTP request asks for: `en…` first in its `Accept-Language` (or a
    /// `lang` query value) is English; anything else, or nothing, is Spanish.
    pub fn from_request(asked: Option<&str>) -> Self {
        let first = asked
            .unwrap_or_default()
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if first == "en" || first.starts_with("en-") || first.starts_with("en;") {
            Self::En
        } else {
            Self::Es
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_names_and_request_languages() {
        assert_eq!(Lang::Es.weekday(Weekday::Mon), "lunes");
        assert_eq!(Lang::En.weekday(Weekday::Sun), "Sunday");
        assert_eq!(Lang::from_request(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_request(Some("en")), Lang::En);
        assert_eq!(Lang::from_request(Some("es-CO,en;q=0.5")), Lang::Es);
        assert_eq!(Lang::from_request(Some("*")), Lang::Es);
        assert_eq!(Lang::from_request(None), Lang::Es);
    }
}
