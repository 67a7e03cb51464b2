//! What came of an answered call: ElevenLabs' success evaluation (`call_successful`).
//! "completada" only says the call ended normally; this says whether it achieved its
//! goal. Shown as a column (in words from `text::labels`) and usable in the `/` filter.

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
}
