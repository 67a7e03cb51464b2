//! What the table reads of one recipient: the name shown, the call's duration, and its
//! status's place in the lifecycle order.

use crate::api::RecipientView;
use crate::domain::RecipientStatus;

pub fn display_name(r: &RecipientView) -> &str {
    r.name
        .as_deref()
        .or_else(|| r.variables.get("name").map(String::as_str))
        .unwrap_or("")
}

pub fn duration(r: &RecipientView) -> Option<u64> {
    r.duration_secs.or(r.call_duration)
}

pub fn status_rank(s: &RecipientStatus) -> usize {
    RecipientStatus::KNOWN
        .iter()
        .position(|k| k == s)
        .unwrap_or(RecipientStatus::KNOWN.len())
}
