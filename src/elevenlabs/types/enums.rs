//! Open wire enums of the conversation and telephony models. Batch and recipient statuses
//! live in `crate::domain` (snake_case); the conversation status is kebab-case
//! (`in-progress`), so it is a separate type on purpose.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know; kept verbatim.
            Unknown(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(s) => s.as_str(),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => $name::$variant,)+
                    _ => $name::Unknown(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Unknown(s) => s,
                    known => known.as_str().to_string(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// `GetConversationResponseModel.status`.
    ConversationStatus {
        Initiated => "initiated",
        InProgress => "in-progress",
        Processing => "processing",
        Done => "done",
        Failed => "failed",
    }
}

wire_enum! {
    /// `analysis.call_successful` and evaluation results.
    CallSuccessful {
        Success => "success",
        Failure => "failure",
        Undetermined => "unknown",
    }
}

wire_enum! {
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
