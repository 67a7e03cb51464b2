//! Open wire enums of the conversation and telephony models. Batch and recipient statuses
//! live in `crate::domain` (snake_case); the conversation status is kebab-case
//! (`in-progress`), so it is a separate type on purpose.

use crate::domain::status::open_enum;

open_enum! {
    /// `GetConversationResponseModel.status`.
    ConversationStatus {
        Initiated => "initiated",
        InProgress => "in-progress",
        Processing => "processing",
        Done => "done",
        Failed => "failed",
    }
}

open_enum! {
    /// `analysis.call_successful` and evaluation results.
    CallSuccessful {
        Success => "success",
        Failure => "failure",
        Undetermined => "unknown",
    }
}

open_enum! {
    /// `TelephonyProvider`.
    TelephonyProvider {
        Twilio => "twilio",
        SipTrunk => "sip_trunk",
        Exotel => "exotel",
    }
}

impl Default for ConversationStatus {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

#[allow(clippy::derivable_impls)] // the enum comes from a macro
impl Default for CallSuccessful {
    fn default() -> Self {
        Self::Undetermined
    }
}

#[allow(clippy::derivable_impls)]
impl Default for TelephonyProvider {
    /// Older servers always meant Twilio when they said nothing.
    fn default() -> Self {
        Self::Twilio
    }
}

impl ConversationStatus {
    /// The conversation will not change any more.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}
