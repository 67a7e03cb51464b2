//! Short labels of values the state holds: sort keys, call verdicts, data-collection
//! values, and the hints while the filter is edited.

use crate::tui::state::outcome::Verdict;
use crate::tui::state::sort::SortKey;

pub fn sort_label(key: SortKey, es: bool) -> &'static str {
    match (key, es) {
        (SortKey::Original, true) => "original",
        (SortKey::Original, false) => "original",
        (SortKey::Name, true) => "nombre",
        (SortKey::Name, false) => "name",
        (SortKey::Status, true) => "estado",
        (SortKey::Status, false) => "status",
        (SortKey::Duration, true) => "duración",
        (SortKey::Duration, false) => "duration",
        (SortKey::Updated, true) => "actualización",
        (SortKey::Updated, false) => "last update",
    }
}

pub fn verdict_label(v: Verdict, es: bool) -> &'static str {
    match (v, es) {
        (Verdict::Success, true) => "logrado",
        (Verdict::Success, false) => "achieved",
        (Verdict::Failure, true) => "no logrado",
        (Verdict::Failure, false) => "not achieved",
        (Verdict::Unknown, true) => "sin evaluar",
        (Verdict::Unknown, false) => "not evaluated",
    }
}

/// The key hints while `/` edits the filter: (enter, esc).
pub fn filter_edit_hints(es: bool) -> (&'static str, &'static str) {
    if es {
        ("aplicar", "borrar filtro")
    } else {
        ("apply", "clear filter")
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
